import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Node's socket errors when the database host cannot be reached or drops the connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * PostgreSQL SQLSTATEs that mean "not now" rather than "wrong query": class 08 (connection
 * exception), 57P01-57P03 (administrator shutdown, crash shutdown, cannot connect now) and 53300
 * (too many connections).
 */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** node-postgres reports a lost or timed-out connection with these messages and no code. */
const PG_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|connection error|Client was closed/i;

/** Set on errors of the pool's connect (db/connect.ts): a socket error there is the database's, not a webhook target's. */
export const FROM_DATABASE_CONNECT = Symbol('arkiv.fromDatabaseConnect');

/** Whether `error` says the database cannot be reached now (as opposed to a bug, bad input or another host). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const fromConnect = (error as { [FROM_DATABASE_CONNECT]?: boolean })[FROM_DATABASE_CONNECT] === true;
  if (typeof code === 'string' && ((fromConnect && NETWORK_CODES.has(code)) || SERVER_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (error instanceof AggregateError) return fromConnect && error.errors.length > 0;
  return code === undefined && PG_CONNECTION_MESSAGES.test(error.message);
}

/**
 * Tracks one outage of the database at a time, so that a thousand failing requests make one log
 * line when it starts and one when it ends (not a stack trace each), and /metrics counts outages.
 * The pool reports the end: a new connection that completed its handshake means the server is back.
 */
export class DatabaseOutage {
  private since: number | undefined;
  private readonly outages: Counter;
  private readonly available: Gauge;

  constructor(private readonly log: () => Pick<Logger, 'error' | 'info'>, metrics: Registry, private readonly now: () => number = Date.now) {
    this.outages = new Counter({ name: 'arkiv_database_outages_total', help: 'Times the database became unreachable', registers: [metrics] });
    this.available = new Gauge({ name: 'arkiv_database_available', help: '1 while the database answers, 0 during an outage', registers: [metrics] });
    this.available.set(1);
  }

  get ongoing(): boolean {
    return this.since !== undefined;
  }

  failed(error: unknown): void {
    if (this.since !== undefined) return;
    this.since = this.now();
    this.outages.inc();
    this.available.set(0);
    const { code, message } = error as { code?: string; message?: string };
    this.log().error({ code, error: message }, 'database unavailable');
  }

  recovered(): void {
    if (this.since === undefined) return;
    this.log().info({ downMs: this.now() - this.since }, 'database reachable again');
    this.since = undefined;
    this.available.set(1);
  }
}
