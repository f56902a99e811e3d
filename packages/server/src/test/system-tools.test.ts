import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { findTool, skipWithoutTools } from './system-tools.js';

describe('optional system tools for independent checks', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-tools-'));
  after(() => fs.rmSync(bin, { recursive: true, force: true }));
  fs.writeFileSync(path.join(bin, 'qpdf'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'pdfinfo'), 'not executable', { mode: 0o644 });
  const empty = path.join(bin, 'nothing-here');

  it('finds an executable on PATH and ignores one that is not executable', () => {
    assert.equal(findTool('qpdf', { PATH: `${empty}${path.delimiter}${bin}` }), path.join(bin, 'qpdf'));
    assert.equal(findTool('pdfinfo', { PATH: bin }), null);
    assert.equal(skipWithoutTools(['qpdf'], { PATH: bin, CI: 'true' }), false);
  });

  it('skips with the package to install on a laptop without them', () => {
    const reason = skipWithoutTools(['pdftotext', 'pdfinfo', 'qpdf'], { PATH: bin });
    assert.equal(typeof reason, 'string');
    assert.match(String(reason), /^pdftotext, pdfinfo not found on PATH: install with `apt-get install -y poppler-utils`/);
  });

  it('fails in CI instead of skipping', () => {
    for (const CI of ['true', '1']) {
      assert.throws(() => skipWithoutTools(['pdftotext'], { PATH: empty, CI }), /apt-get install -y poppler-utils.*CI must run it/);
    }
  });
});
