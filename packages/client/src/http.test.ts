import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileNameOf } from './archive-download.js';
import { buildUrl } from './http.js';

describe('request and response helpers', () => {
  it('repeats array parameters as seed 000 does and keeps a base path', () => {
    const url = buildUrl('https://arkiv.example/prefix/', '/security/report/files', { org: 'o', reports: ['a', 'b'], skip: undefined });
    assert.equal(url.href, 'https://arkiv.example/prefix/security/report/files?org=o&reports=a&reports=b');
    const since = buildUrl('http://h', '/x', { uploadedSince: new Date(Date.UTC(2026, 0, 2)), limit: 5 });
    assert.equal(since.search, '?uploadedSince=2026-01-02T00%3A00%3A00.000Z&limit=5');
  });

  it('takes a bare file name from Content-Disposition, never a path', () => {
    assert.equal(fileNameOf('attachment; filename="arkiv-reports-20251217-090548.zip"'), 'arkiv-reports-20251217-090548.zip');
    assert.equal(fileNameOf("attachment; filename*=UTF-8''r%C3%A4ports.zip"), 'räports.zip');
    assert.equal(fileNameOf('attachment; filename="../../etc/passwd"'), 'passwd');
    assert.equal(fileNameOf('attachment; filename=".."'), undefined);
    assert.equal(fileNameOf(null), undefined);
  });
});
