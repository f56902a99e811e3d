import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBytes, progressBar, progressLine } from './progress.js';
import { formatReportTable } from './table.js';

describe('CLI output', () => {
  it('draws the progress bar from Content-Length, or counts bytes without it', () => {
    assert.equal(progressLine(0, 200), `[${'-'.repeat(30)}]   0%  0 B / 200 B`);
    assert.equal(progressLine(512 * 1024, 1024 * 1024), `[${'#'.repeat(15)}${'-'.repeat(15)}]  50%  512.0 KiB / 1.0 MiB`);
    assert.equal(progressLine(300, 200).includes('100%'), true, 'never above 100%');
    assert.equal(progressLine(3 * 1024 ** 3, undefined), '3.0 GiB received');
    assert.equal(formatBytes(1023), '1023 B');
  });

  it('writes a progress bar to a terminal only', () => {
    const written: string[] = [];
    const sink = (isTTY: boolean) => Object.assign({ write: (text: string) => written.push(text) > 0 }, { isTTY }) as unknown as NodeJS.WritableStream & { isTTY: boolean };
    const quiet = progressBar(sink(false), 100);
    quiet.advance(100);
    quiet.finish();
    assert.deepEqual(written, []);
    const bar = progressBar(sink(true), 100);
    bar.advance(100);
    bar.finish();
    assert.match(written.join(''), /\r\[#{30}\] 100%  100 B \/ 100 B/);
    assert.ok(written.at(-1) === '\n', 'the bar ends its line');
  });

  it('lays out reports as a table and keeps terminal control characters out', () => {
    const table = formatReportTable([
      { projectName: 'Evil\u001b[2J', id: 'a', reportType: 'CWE Top 25', reportVersion: 2024, projectVersion: '1.0', date: '2025-12-17T09:05:48+00:00', uploadDate: '', vulnerabilitiesCount: 12, securityRating: 'E' },
      { projectName: 'P', id: 'b', reportType: 'OWASP Top 10', reportVersion: 2021, projectVersion: '10.20.30', date: '2026-01-01T00:00:00Z', uploadDate: '', vulnerabilitiesCount: 3, securityRating: 'B' },
    ]);
    assert.equal(
      table,
      [
        'ID  PROJECT   VERSION   REPORT             DATE        VULNS  RATING',
        'a   Evil?[2J  1.0       CWE Top 25 2024    2025-12-17     12  E',
        'b   P         10.20.30  OWASP Top 10 2021  2026-01-01      3  B',
      ].join('\n'),
    );
  });
});
