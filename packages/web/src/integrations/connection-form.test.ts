import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectionBody, formatProjectMap, formValuesOf, importBody, parseProjectMap, validateConnection } from './connection-form.ts';
import type { Connection } from './integration-types.ts';

const sonar: Connection = {
  id: '6f1c1d9e-1111-4a4a-8888-000000000001', kind: 'sonarqube', name: 'Sonar', webhookUrl: 'http://arkiv/integrations/sonarqube/x/webhook', secret: 's',
  serverUrl: 'https://sonar.example.com', hasToken: true, projects: { 'acme-shop': 'ACME Shop', billing: 'Billing' }, createdAt: '', updatedAt: '', lastEvents: [],
};

describe('project map text', () => {
  it('round-trips a map through the text field (SonarQube keys never hold "="; names may)', () => {
    const projects = { 'acme-shop': 'ACME Shop', billing: 'Billing = core' };
    assert.deepEqual(parseProjectMap(formatProjectMap(projects)), { projects });
  });
  it('skips blank lines and trims', () => {
    assert.deepEqual(parseProjectMap('\n  acme-shop   =  ACME Shop  \r\n\n'), { projects: { 'acme-shop': 'ACME Shop' } });
    assert.deepEqual(parseProjectMap(''), { projects: {} });
  });
  it('names the line of a malformed, incomplete or duplicate entry', () => {
    assert.deepEqual(parseProjectMap('a = A\nno separator'), { error: 'Line 2: write "project key = project name"' });
    assert.deepEqual(parseProjectMap(' = A'), { error: 'Line 1: both the project key and the project name are needed' });
    assert.deepEqual(parseProjectMap('a = A\na = B'), { error: 'Line 2: project key "a" is listed twice' });
    assert.match((parseProjectMap(`k = ${'n'.repeat(201)}`) as { error: string }).error, /longer than 200/);
  });
});

describe('connection form', () => {
  const values = { name: ' Sonar ', serverUrl: 'https://sonar.example.com/', token: ' squ_abc ', projects: 'acme-shop = ACME Shop' };
  it('requires name, http(s) URL and, for a new SonarQube connection, a token', () => {
    assert.deepEqual(validateConnection('sonarqube', values), {});
    const errors = validateConnection('sonarqube', { name: ' ', serverUrl: 'ftp://x', token: '', projects: 'bad' });
    assert.deepEqual(Object.keys(errors).sort(), ['name', 'projects', 'serverUrl', 'token']);
    assert.equal(validateConnection('sonarqube', { ...values, serverUrl: 'sonar.example.com' }).serverUrl, 'Enter a full URL, e.g. https://sonarqube.example.com');
    assert.deepEqual(validateConnection('sonarqube', { ...values, token: '' }, values.serverUrl), {}, 'editing keeps the stored token');
    assert.match(validateConnection('sonarqube', { ...values, token: '' }, 'https://old.example.com').token ?? '', /new server URL needs its token/);
  });
  it('checks only the name of a Nexus IQ connection and sends only the name', () => {
    assert.deepEqual(validateConnection('nexus-iq', { name: 'IQ', serverUrl: '', token: '', projects: 'junk' }), {});
    assert.deepEqual(connectionBody('nexus-iq', { name: ' IQ ', serverUrl: 'x', token: 'y', projects: 'a = b' }), { name: 'IQ' });
  });
  it('sends the token only when typed and always the project map (so it can be cleared)', () => {
    assert.deepEqual(connectionBody('sonarqube', values), { name: 'Sonar', serverUrl: 'https://sonar.example.com/', token: 'squ_abc', projects: { 'acme-shop': 'ACME Shop' } });
    assert.deepEqual(connectionBody('sonarqube', { ...formValuesOf(sonar), projects: '' }), { name: 'Sonar', serverUrl: 'https://sonar.example.com', projects: {} });
  });
  it('starts an edit from the stored values with an empty token field', () => {
    const form = formValuesOf(sonar);
    assert.equal(form.token, '');
    assert.deepEqual(parseProjectMap(form.projects), { projects: sonar.projects });
  });
  it('builds the import body with branch and version only when given', () => {
    assert.deepEqual(importBody({ projectKey: ' acme-shop ', branch: '', version: ' ' }), { projectKey: 'acme-shop' });
    assert.deepEqual(importBody({ projectKey: 'k', branch: 'dev', version: '2.0' }), { projectKey: 'k', branch: 'dev', version: '2.0' });
  });
});
