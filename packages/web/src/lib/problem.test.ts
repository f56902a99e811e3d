import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, errorMessage, parseBody, problemFrom } from './problem.ts';

describe('problem+json messages', () => {
  it('uses the server message and code', () => {
    const body = { type: 'urn:arkiv:error:invalid_version', title: 'Bad Request', status: 400, code: 'invalid_version', message: 'minver "x" is not a semantic version', detail: 'minver "x" is not a semantic version' };
    assert.deepEqual(problemFrom(400, body), { status: 400, code: 'invalid_version', message: 'minver "x" is not a semantic version' });
  });

  it('falls back to detail, then title, then a sentence for the status', () => {
    assert.equal(problemFrom(409, { detail: 'Email already in use' }).message, 'Email already in use');
    assert.equal(problemFrom(404, { title: 'Not Found' }).message, 'Not Found');
    assert.equal(problemFrom(403, undefined).message, 'You do not have permission for this action');
    assert.equal(problemFrom(418, '<html>teapot</html>').message, 'The request failed (HTTP 418)');
    assert.equal(problemFrom(418, undefined).code, 'http_418');
    assert.equal(problemFrom(0, undefined).code, 'network_error');
  });

  it('ignores blank fields and non-JSON bodies', () => {
    assert.equal(problemFrom(500, { message: '  ', detail: '' }).message, 'The server failed unexpectedly; try again later');
    assert.equal(parseBody('text/html', '<h1>502</h1>'), undefined);
    assert.equal(parseBody('application/problem+json', '{broken'), undefined);
    assert.deepEqual(parseBody('application/problem+json; charset=utf-8', '{"code":"x"}'), { code: 'x' });
  });

  it('shows an ApiError by its message', () => {
    assert.equal(errorMessage(new ApiError({ status: 401, code: 'unauthorized', message: 'Sign in' })), 'Sign in');
    assert.equal(errorMessage('weird'), 'Something went wrong');
  });
});
