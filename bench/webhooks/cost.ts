import fs from 'node:fs';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import type pg from 'pg';
import type { BenchSetup } from './setup.js';

/**
 * What one phase cost, beside its wall-clock time: CPU of this (sending) process, of the receiver's
 * process and of the PostgreSQL backends serving this database, and the statements this process
 * sent (round trips) and the commits among them. On a shared, loaded machine the wall clock says
 * more about the neighbours than about the code; CPU per delivery does not.
 */
export interface PhaseCost {
  senderCpuUs: number;
  receiverCpuUs: number;
  postgresCpuUs: number;
  roundTrips: number;
  commits: number;
}

const TICK_US = 1_000_000 / 100;

/** utime + stime of a process in µs (clock ticks of 10 ms), 0 once it is gone. */
function processCpuUs(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_US;
  } catch {
    return 0;
  }
}

const counters = { roundTrips: 0, commits: 0 };
let patched = false;
const WRITE = /^\s*(insert|update|delete|with\b[\s\S]*\b(insert|update|delete)\b)/i;

/** Counts every statement of every pg client in this process (pool, listener), and its commits. */
function countStatements(): void {
  if (patched) return;
  patched = true;
  const { Client } = createRequire(import.meta.url)('pg') as typeof pg;
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  const inTransaction = new WeakSet<object>();
  Client.prototype.query = function (this: object, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : (first?.text ?? '');
    counters.roundTrips++;
    if (/^\s*(begin|start transaction)\b/i.test(text)) inTransaction.add(this);
    else if (/^\s*(commit|rollback)\b/i.test(text)) {
      inTransaction.delete(this);
      if (/^\s*commit/i.test(text)) counters.commits++;
    } else if (!inTransaction.has(this) && WRITE.test(text)) counters.commits++;
    return original.apply(this, args);
  } as typeof Client.prototype.query;
}

async function backendPids(setup: BenchSetup): Promise<number[]> {
  if (setup.ctx.database.dialect !== 'postgres') return [];
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(setup.ctx.db);
  return rows.map((r) => r.pid);
}

/** Starts measuring; the returned function ends the phase and gives its cost. */
export async function startCostMeter(setup: BenchSetup, receiverPid: number | undefined): Promise<() => Promise<PhaseCost>> {
  countStatements();
  const pgBefore = new Map((await backendPids(setup)).map((pid) => [pid, processCpuUs(pid)]));
  const receiverBefore = receiverPid ? processCpuUs(receiverPid) : 0;
  const sender = process.cpuUsage();
  const start = { ...counters };
  return async () => {
    const senderCpu = process.cpuUsage(sender);
    const cost: PhaseCost = {
      senderCpuUs: senderCpu.user + senderCpu.system,
      receiverCpuUs: receiverPid ? processCpuUs(receiverPid) - receiverBefore : 0,
      postgresCpuUs: 0,
      roundTrips: counters.roundTrips - start.roundTrips,
      commits: counters.commits - start.commits,
    };
    // Backends that ended meanwhile are lost; ones that started meanwhile count from zero.
    for (const pid of await backendPids(setup)) cost.postgresCpuUs += processCpuUs(pid) - (pgBefore.get(pid) ?? 0);
    return cost;
  };
}

/** Per delivery, rounded: µs for CPU, two decimals for counts. */
export function perDelivery(cost: PhaseCost, deliveries: number) {
  const us = (n: number) => Math.round(n / deliveries);
  return {
    senderUs: us(cost.senderCpuUs),
    receiverUs: us(cost.receiverCpuUs),
    postgresUs: us(cost.postgresCpuUs),
    totalUs: us(cost.senderCpuUs + cost.receiverCpuUs + cost.postgresCpuUs),
    roundTrips: cost.roundTrips / deliveries,
    commits: cost.commits / deliveries,
  };
}
