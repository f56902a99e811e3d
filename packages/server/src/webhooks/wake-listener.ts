import type pg from 'pg';
import type { Logger } from 'pino';
import { WAKE_CHANNEL } from './outbox-sql.js';

/**
 * A dedicated PostgreSQL connection that LISTENs for queued deliveries (a pooled client cannot:
 * the pool would hand it to queries and drop the subscription). If it breaks, it reconnects; until
 * then the dispatcher's poll interval bounds the delay.
 */
export class WakeListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly onWake: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    // Loaded here, not at module load: a SQLite server imports this module but never starts it.
    const { default: pgDriver } = await import('pg');
    const client = new pgDriver.Client({ connectionString: this.connectionString, application_name: 'arkiv-webhook-listener' });
    client.on('notification', () => this.onWake());
    client.on('error', (error) => this.reconnect(client, error));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`listen ${WAKE_CHANNEL}`);
      this.client = client;
      // Anything queued while we were not listening is found by this wake-up's claim.
      this.onWake();
    } catch (error) {
      this.reconnect(client, error);
    }
  }

  private reconnect(client: pg.Client, error?: unknown): void {
    client.removeAllListeners('end');
    client.end().catch(() => {});
    if (this.client === client) this.client = undefined;
    if (this.stopped || this.retry) return;
    this.log.warn({ err: error }, 'webhook wake-up listener lost its connection; reconnecting (polling meanwhile)');
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) void this.start();
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
