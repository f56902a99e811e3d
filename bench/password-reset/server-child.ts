/** The server side of password-reset-bench.ts, in its own process: Arkiv with SMTP set, one known account. */
import { createUser } from '../../packages/server/src/accounts/users.js';
import { startTestSmtpServer } from '../../packages/server/src/mail/smtp-test-helpers.js';
import { startTestServer } from '../../packages/server/src/test/test-server.js';
import { serveParent } from '../list/child.js';

const dialect = process.env.BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
const smtp = await startTestSmtpServer();
const server = await startTestServer(dialect, { ARKIV_SMTP_URL: smtp.url, ARKIV_MAIL_FROM: 'arkiv@example.test', ARKIV_TRUST_PROXY: 'loopback' });
await createUser(server.ctx.db, { email: 'known@example.test', password: 'a password of the known user', now: Date.now() });
serveParent(async () => {
  process.stderr.write(`mails received for the known email: ${smtp.messages.length}\n`);
  await server.stop();
  await smtp.close();
});
process.send!({ url: server.url });
