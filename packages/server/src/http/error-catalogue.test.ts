import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from './errors.js';

const sourceRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('the error catalogue', () => {
  it('lists every code the source can answer with', () => {
    const written = new Set<string>();
    for (const file of sources(sourceRoot)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const match of text.matchAll(/new AppError\(\s*[^,]+,\s*'([a-z_]+)'|(?:conflict|linkGone)\(\s*'([a-z_]+)'|code: '([a-z_]+)'/g)) {
        written.add((match[1] ?? match[2] ?? match[3])!);
      }
    }
    assert.ok(written.size > 20, `found ${written.size} codes`);
    assert.deepEqual([...written].filter((code) => !(ERROR_CODES as readonly string[]).includes(code)).sort(), []);
  });
});
