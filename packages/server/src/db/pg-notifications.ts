import type pg from 'pg';
import type { Logger } from 'pino';

export type NotificationListener = (payload: string) => void;

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5000;

/**
 * One dedicated PostgreSQL connection per process that LISTENs on every channel some part of the
 * process subscribed to (a pooled client cannot: the pool would hand it to queries and drop the
 * subscription). The connection opens with the first subscriber and closes with the last.
 *
 * A notification can be lost (the connection breaks between a NOTIFY and its delivery), so
 * subscribers must treat a call as "look now" and keep a poll as their safety net. When the
 * connection breaks it reconnects with a doubling back-off (100 ms to 5 s); after every
 * (re)connect each subscriber is called once with an empty payload, since anything notified
 * meanwhile was missed.
 */
export class PgNotifications {
  private readonly listeners = new Map<string, Set<NotificationListener>>();
  private client: pg.Client | undefined;
  /** Channels the current connection LISTENs on. */
  private readonly listening = new Set<string>();
  /** Connects, LISTENs and UNLISTENs one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
    private readonly applicationName = 'arkiv-listener',
  ) {}

  /**
   * Calls `listener` on every NOTIFY on `channel` from now on; resolves once the channel is
   * listened to (or, while the database is unreachable, once the first attempt failed: the
   * reconnects go on). The returned function unsubscribes (closing the connection after the last).
   */
  async subscribe(channel: string, listener: NotificationListener): Promise<() => Promise<void>> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid notification channel name: ${channel}`);
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    await this.sync();
    return async () => {
      if (!set.delete(listener)) return;
      if (set.size === 0) this.listeners.delete(channel);
      await this.sync();
    };
  }

  /** Whether the LISTEN connection is up (for tests and health). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The backend process id of the LISTEN connection, if connected (tests end it to prove recovery). */
  get backendPid(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  private sync(): Promise<void> {
    this.work = this.work.then(() => this.reconcile()).catch((error) => this.log.warn({ err: error }, 'notification listener: LISTEN failed'));
    return this.work;
  }

  /** Brings the connection in line with the subscriptions: open, LISTEN, UNLISTEN, or close. */
  private async reconcile(): Promise<void> {
    if (this.listeners.size === 0) {
      clearTimeout(this.retry);
      this.retry = undefined;
      await this.disconnect();
      return;
    }
    if (!this.client) {
      if (!this.retry) await this.connect();
      return;
    }
    const client = this.client;
    for (const channel of this.listeners.keys()) {
      if (!this.listening.has(channel)) {
        await client.query(`listen ${channel}`);
        this.listening.add(channel);
      }
    }
    for (const channel of [...this.listening]) {
      if (!this.listeners.has(channel)) {
        this.listening.delete(channel);
        await client.query(`unlisten ${channel}`);
      }
    }
  }

  private async connect(): Promise<void> {
    // Loaded here, not at module load: a SQLite process never loads the driver.
    const { default: pgDriver } = await import('pg');
    const client = new pgDriver.Client({ connectionString: this.connectionString, application_name: this.applicationName });
    client.on('notification', (message) => this.dispatch(message.channel, message.payload ?? ''));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      const channels = [...this.listeners.keys()];
      for (const channel of channels) await client.query(`listen ${channel}`);
      this.client = client;
      for (const channel of channels) this.listening.add(channel);
      if (this.failures > 0) this.log.info('notification listener reconnected');
      this.failures = 0;
    } catch (error) {
      this.lost(client, error);
      return;
    }
    // Whatever was notified while nobody listened is found by one look now.
    for (const channel of this.listening) this.dispatch(channel, '');
  }

  private dispatch(channel: string, payload: string): void {
    for (const listener of this.listeners.get(channel) ?? []) {
      try {
        listener(payload);
      } catch (error) {
        this.log.error({ err: error, channel }, 'notification listener threw');
      }
    }
  }

  /** The connection broke or never opened: drop it and try again after a growing pause. */
  private lost(client: pg.Client, error?: unknown): void {
    client.removeAllListeners('end');
    client.on('error', () => {});
    client.end().catch(() => {});
    if (this.client === client) {
      this.client = undefined;
      this.listening.clear();
    }
    if (this.listeners.size === 0 || this.retry) return;
    const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
    // One warning per outage, not one per attempt.
    if (this.failures === 0) this.log.warn({ err: error }, 'notification listener lost its connection; reconnecting (polling meanwhile)');
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.sync();
    }, delay);
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.listening.clear();
    if (!client) return;
    client.removeAllListeners('end');
    client.on('error', () => {});
    await client.end().catch(() => {});
  }
}
