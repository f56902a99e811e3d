/**
 * Password-reset timing (issue 20): POST /api/auth/password-reset must not tell whether an email
 * has an account. Known and unknown emails are asked in random order (half each) against the real Arkiv (SMTP set,
 * a real SMTP server on loopback receiving the known ones' mail), and the answer times of each are
 * compared: medians and 90th percentiles, and their ratio (1.00 = indistinguishable).
 * Each request comes from its own address (X-Forwarded-For through a trusted loopback proxy), so
 * the per-address throttle does not stop the run.
 *
 *   npm run bench -- password-reset [--dialect sqlite|postgres] [--requests 400]
 */
import { parseArgs } from 'node:util';
import { startChild } from './list/child.js';

const { values: args } = parseArgs({ options: { dialect: { type: 'string', default: 'sqlite' }, requests: { type: 'string', default: '400' } } });
const dialect = args.dialect === 'postgres' ? 'postgres' : 'sqlite';
const requests = Number(args.requests);

// The server runs in its own process: work it does after answering must not delay this client.
const server = await startChild('../password-reset/server-child.ts', { env: { BENCH_DIALECT: dialect } });
const known = 'known@example.test';

async function ask(email: string, i: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/auth/password-reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
    body: JSON.stringify({ email }),
  });
  await response.arrayBuffer();
  if (response.status !== 202) throw new Error(`answered ${response.status}`);
  return performance.now() - started;
}

const times = { known: [] as number[], unknown: [] as number[] };
for (let i = 0; i < 20; i += 1) await ask(i % 2 ? known : `warmup-${i}@example.test`, 100_000 + i);
// Random order, half each: a fixed alternation would charge one kind with the other's after-answer work.
const order = Array.from({ length: requests }, (_, i) => i % 2 === 0);
for (let i = order.length - 1; i > 0; i -= 1) {
  const j = Math.floor(Math.random() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}
for (const [i, isKnown] of order.entries()) {
  if (isKnown) times.known.push(await ask(known, i));
  else times.unknown.push(await ask(`unknown-${i}@example.test`, i));
}
const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const row = (name: string, values: number[]) => `${name.padEnd(8)} n=${values.length}  median ${quantile(values, 0.5).toFixed(2)} ms  p90 ${quantile(values, 0.9).toFixed(2)} ms`;
console.log(`password reset request, ${dialect}, ${requests} requests, known and unknown emails in random order`);
console.log(row('known', times.known));
console.log(row('unknown', times.unknown));
console.log(`ratio known/unknown: median ${(quantile(times.known, 0.5) / quantile(times.unknown, 0.5)).toFixed(2)}  p90 ${(quantile(times.known, 0.9) / quantile(times.unknown, 0.9)).toFixed(2)}`);
await server.stop();
