import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import semver from 'semver';
import { parseVersion } from './versions.js';

const identifier = fc.oneof(
  fc.nat({ max: 1_000_000 }).map(String),
  fc.stringMatching(/^[0-9A-Za-z-]{1,8}$/).filter((s) => !/^\d+$/.test(s) || !/^0\d/.test(s)),
);
const fullVersion = fc
  .tuple(fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.nat({ max: 50 }), fc.array(identifier, { maxLength: 4 }), fc.boolean())
  .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre.length ? `-${pre.join('.')}` : ''}${build ? '+build.7' : ''}`)
  .filter((v) => semver.valid(v) !== null);

const sign = (n: number) => Math.sign(n);
const keyOf = (v: string) => parseVersion(v)!.key;

describe('parseVersion', () => {
  it('orders any two versions exactly as semver precedence does', () => {
    fc.assert(
      fc.property(fullVersion, fullVersion, (a, b) => {
        const byKey = keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
        assert.equal(byKey, sign(semver.compare(a, b)), `${a} vs ${b}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('treats partial versions as .0', () => {
    assert.equal(keyOf('1'), keyOf('1.0.0'));
    assert.equal(keyOf('1.0'), keyOf('1.0.0'));
    assert.equal(parseVersion('1.0')!.normalized, '1.0.0');
    assert.equal(keyOf('2.1-beta.1'), keyOf('2.1.0-beta.1'));
  });

  it('ignores build metadata and accepts a leading v', () => {
    assert.equal(keyOf('1.2.3+linux.5'), keyOf('1.2.3'));
    assert.equal(keyOf('v1.2.3'), keyOf('1.2.3'));
  });

  it('ranks prereleases below their release and numeric identifiers numerically', () => {
    assert.ok(keyOf('1.1.0-beta.1') < keyOf('1.1.0'));
    assert.ok(keyOf('1.1.0-beta.1') > keyOf('1.0.1'));
    assert.ok(keyOf('1.0.0-alpha.2') < keyOf('1.0.0-alpha.10'));
    assert.ok(keyOf('1.0.0-alpha') < keyOf('1.0.0-alpha.1'));
    assert.ok(keyOf('1.0.0-1') < keyOf('1.0.0-alpha'));
    assert.ok(keyOf('1.10.0') > keyOf('1.9.9'));
  });

  it('refuses strings that are not semantic versions', () => {
    for (const bad of ['', ' ', 'abc', '1.', '1..2', '01.2.3', '1.02', '1.2.3.4', '1.2.3-', '1.2.3-01', '1.2.3+', '0.3.5+.', '1.0.0+a..b', '1.0.0+a.', '-1.0', ' 1.0', '1.0 ', 'latest', '1.2.3-a..b', '99999999999999999.0.0', 'x'.repeat(300)]) {
      assert.equal(parseVersion(bad), null, JSON.stringify(bad));
    }
  });

  it('agrees with semver on validity of full versions', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9.a-z+-]{1,12}$/), (s) => {
        if (/^\d+\.\d+\.\d+/.test(s) && !s.startsWith('v')) {
          assert.equal(parseVersion(s) !== null, semver.valid(s) !== null, s);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
