import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseVersion as serverParseVersion } from '../../../server/src/reports/versions.ts';
import { compareVersions, isVersion, parseVersion } from './versions.ts';

describe('dashboard version order', () => {
  it('orders by semver precedence with partial versions and prereleases', () => {
    const shuffled = ['2.0', '1.10.0', '1.2', '1.0.0-beta.11', '1.0.0-beta.2', '1.0.0-alpha', '1.0.0', '0.9.9', 'v1.0.0-rc.1', 'not a version'];
    const sorted = [...shuffled].sort(compareVersions);
    assert.deepEqual(sorted, ['0.9.9', '1.0.0-alpha', '1.0.0-beta.2', '1.0.0-beta.11', 'v1.0.0-rc.1', '1.0.0', '1.2', '1.10.0', '2.0', 'not a version']);
  });

  it('treats "1.0" and "1.0.0+build" as equal to 1.0.0', () => {
    assert.equal(compareVersions('1.0', '1.0.0'), 0);
    assert.equal(compareVersions('1.0.0+build.7', '1'), 0);
  });

  it('refuses what the server refuses', () => {
    for (const bad of ['', '1.', '01.0', '1.0.0-', '1.0.0-01', 'x1.0', '1.2.3.4']) assert.equal(isVersion(bad), false, bad);
    assert.deepEqual(parseVersion('3.4-rc.1'), { numbers: [3, 4, 0], prerelease: ['rc', '1'] });
  });

  // The table and charts must sort exactly as the API's version ranges do.
  it('agrees with the server version keys on random versions', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 9, max: 12 }));
    const identifier = fc.oneof(fc.constantFrom('alpha', 'beta', 'rc', 'RC', 'a-b'), fc.integer({ min: 0, max: 20 }).map(String));
    const version = fc
      .tuple(part, fc.option(part), fc.option(part), fc.array(identifier, { maxLength: 3 }))
      .map(([major, minor, patch, pre]) => `${major}${minor === null ? '' : `.${minor}`}${minor === null || patch === null ? '' : `.${patch}`}${pre.length ? `-${pre.join('.')}` : ''}`);
    fc.assert(
      fc.property(version, version, (a, b) => {
        const keyA = serverParseVersion(a)!.key;
        const keyB = serverParseVersion(b)!.key;
        const expected = keyA < keyB ? -1 : keyA > keyB ? 1 : 0;
        assert.equal(compareVersions(a, b), expected, `${a} vs ${b}`);
      }),
      { numRuns: 2000 },
    );
  });
});
