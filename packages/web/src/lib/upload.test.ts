import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toIsoDateTime, validateUpload, type UploadFields } from './upload.ts';

const fields = (overrides: Partial<UploadFields> = {}): UploadFields => ({
  projectName: 'Test product', projectVersion: '1.0', reportType: 'CWE Top 25', reportVersion: '2024',
  date: '2025-12-17T09:05', vulnerabilitiesCount: '0', securityRating: 'A', ...overrides,
});
const html = new File(['<h1>r</h1>'], 'report.html', { type: 'text/html' });
const pdf = new File(['%PDF-1.4'], 'report.pdf', { type: 'application/pdf' });

describe('upload form validation', () => {
  it('accepts a complete form with either file', () => {
    assert.deepEqual(validateUpload(fields(), { html, pdf }), {});
    assert.deepEqual(validateUpload(fields(), { html: null, pdf }), {});
  });

  it('names every bad field at once', () => {
    const errors = validateUpload(
      fields({ projectName: ' ', projectVersion: '1.0.x', reportVersion: 'twenty', date: '', vulnerabilitiesCount: '-1', securityRating: 'F' }),
      { html: null, pdf: null },
    );
    assert.deepEqual(Object.keys(errors).sort(), ['date', 'files', 'projectName', 'projectVersion', 'reportVersion', 'securityRating', 'vulnerabilitiesCount']);
    assert.match(errors.projectVersion!, /semantic version/);
  });

  it('checks file kinds by name', () => {
    assert.match(validateUpload(fields(), { html: pdf, pdf: null }).files!, /\.html/);
    assert.match(validateUpload(fields(), { html: null, pdf: html }).files!, /\.pdf/);
  });

  it('sends dates as ISO 8601 with an offset, as the API requires', () => {
    assert.match(toIsoDateTime('2025-12-17T09:05'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
