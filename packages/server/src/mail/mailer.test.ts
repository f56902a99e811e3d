import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../config.js';
import { createMailer } from './mailer.js';
import { SMTP_PASSWORD, startTestSmtpServer, type TestSmtpServer } from './smtp-test-helpers.js';

function capturedLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'trace' }, stream), lines };
}

describe('mailer against a real SMTP server on loopback', () => {
  let smtp: TestSmtpServer;
  before(async () => {
    smtp = await startTestSmtpServer();
  });
  after(() => smtp.close());

  it('sends a plain-text message from ARKIV_MAIL_FROM after SMTP AUTH', async () => {
    const { log } = capturedLog();
    const mail = loadConfig({ ARKIV_SMTP_URL: smtp.url, ARKIV_MAIL_FROM: 'Arkiv <arkiv@example.test>' }).mail;
    const mailer = createMailer(mail, log);
    assert.equal(mailer.enabled, true);
    assert.equal(await mailer.send({ to: 'reader@example.test', subject: 'Hello', text: 'A line\nhttps://arkiv.example.test/invite/abc' }), true);
    const received = await smtp.nextMailTo('reader@example.test');
    assert.equal(received.from?.text, '"Arkiv" <arkiv@example.test>');
    assert.equal(received.subject, 'Hello');
    assert.equal(received.text?.trim(), 'A line\nhttps://arkiv.example.test/invite/abc');
    assert.equal(received.html, false);
  });

  it('reports a refused login as not sent, and logs neither the password nor the URL', async () => {
    const { log, lines } = capturedLog();
    const wrongPassword = 'wrong-password-7c1e';
    const url = smtp.url.replace(SMTP_PASSWORD, wrongPassword);
    const mailer = createMailer({ smtpUrl: url, from: 'arkiv@example.test' }, log);
    assert.equal(await mailer.send({ to: 'nobody@example.test', subject: 'Hello', text: 'text' }), false);
    const logged = lines.join('');
    assert.match(logged, /mail not sent/);
    assert.ok(!logged.includes(wrongPassword) && !logged.includes(SMTP_PASSWORD), logged);
  });

  it('sends nothing without SMTP', async () => {
    const mailer = createMailer(undefined, capturedLog().log);
    assert.equal(mailer.enabled, false);
    assert.equal(await mailer.send({ to: 'a@example.test', subject: 's', text: 't' }), false);
  });
});
