import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { searchParameters, versionChoices } from './findings-query.ts';
import type { Report } from '../lib/types.ts';

const report = (projectName: string, projectVersion: string): Report => ({
  projectName, projectVersion, id: `${projectName}-${projectVersion}`, reportType: 'CWE Top 25', reportVersion: 2024, date: '', uploadDate: '', vulnerabilitiesCount: 0, securityRating: 'A',
});

describe('findings search box and version choices', () => {
  it('reads a CWE, a file path or a rule id', () => {
    assert.deepEqual(searchParameters('CWE-89'), { cwe: '89' });
    assert.deepEqual(searchParameters(' cwe 79 '), { cwe: '79' });
    assert.deepEqual(searchParameters('22'), { cwe: '22' });
    assert.deepEqual(searchParameters('src/db/'), { file: 'src/db/' });
    assert.deepEqual(searchParameters('App.java'), { file: 'App.java' });
    assert.deepEqual(searchParameters('java:S3649'), { rule: 'java:S3649' });
    assert.equal(searchParameters('  '), null);
  });

  it('offers one product\'s versions once each in semver order, prereleases marked', () => {
    const reports = [report('A', '2.10.0'), report('A', '2.5.0'), report('A', '2.5.0-rc.1'), report('B', '9.0.0'), report('A', '2.5.0'), report('A', '2.4.0')];
    assert.deepEqual(versionChoices(reports, 'A'), [
      { version: '2.4.0', prerelease: false },
      { version: '2.5.0-rc.1', prerelease: true },
      { version: '2.5.0', prerelease: false },
      { version: '2.10.0', prerelease: false },
    ]);
  });
});
