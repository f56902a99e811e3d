import type pg from 'pg';
import type { Logger } from 'pino';

export type NotificationListener = (payload: string) => void;

/** A subscriber that needs to know when it may trust that it hears every notification (a cache). */
export interface ChannelSubscriber {
  /** A NOTIFY on the channel arrived. */
  onNotification(payload: string): void;
  /**
   * LISTEN on the channel is in force: every commit's notification arrives from now on. Called
   * after the subscription and after every reconnect; anything notified before it may have been
   * missed.
   */
  onListening(): void;
  /** The connection is gone: notifications may be missed until onListening is called again. */
  onLost(error: unknown): void;
}

/** What the listener logs: one warning per outage, one line when it is back. */
export type NotificationLog = Pick<Logger, 'info' | 'warn' | 'error'>;

const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 5000;
const HEARTBEAT_MS = 2000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/** A plain listener is a queue worker: after every (re)connect it looks once (catch-up). */
const asSubscriber = (listener: NotificationListener): ChannelSubscriber => ({
  onNotification: listener,
  onListening: () => listener(''),
  onLost: () => {},
});

/**
 * The one dedicated PostgreSQL connection of a process that LISTENs on every channel some part of
 * the process subscribed to: queue wake-ups (webhook deliveries, jobs) and the list cache's change
 * token. A pooled client cannot LISTEN: the pool would hand it to queries and drop the
 * subscription. The connection opens with the first subscriber and closes with the last.
 *
 * A notification can be lost (the connection breaks between a NOTIFY and its delivery), so
 * subscribers must treat one as "look now" and keep a fallback: queues poll, the cache reads the
 * database while `onLost` is in force. A heartbeat query detects a connection that died silently
 * (a cut network sends no FIN) within about four seconds. After a failure it reconnects with a
 * doubling back-off (500 ms to 5 s); after every (re)connect each subscriber's `onListening` is
 * called once its channel is listened to (a plain listener is called with an empty payload).
 */
export class PgNotifications {
  private readonly subscribers = new Map<string, Set<ChannelSubscriber>>();
  private client: pg.Client | undefined;
  /** Channels the current connection LISTENs on. */
  private readonly listening = new Set<string>();
  /** Subscribers told onListening on the current connection. */
  private readonly told = new Set<ChannelSubscriber>();
  /** Connects, LISTENs and UNLISTENs one at a time, in order. */
  private work: Promise<void> = Promise.resolve();
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly lostClients = new WeakSet<pg.Client>();

  constructor(
    private readonly connectionString: string,
    private readonly log: NotificationLog,
    private readonly applicationName = 'arkiv-listener',
  ) {}

  /**
   * Calls the listener on every NOTIFY on `channel` from now on; resolves once the channel is
   * listened to (or, while the database is unreachable, once the first attempt failed: the
   * reconnects go on). The returned function unsubscribes (closing the connection after the last).
   */
  async subscribe(channel: string, listener: NotificationListener | ChannelSubscriber): Promise<() => Promise<void>> {
    if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid notification channel name: ${channel}`);
    const subscriber = typeof listener === 'function' ? asSubscriber(listener) : listener;
    let set = this.subscribers.get(channel);
    if (!set) this.subscribers.set(channel, (set = new Set()));
    set.add(subscriber);
    await this.sync();
    return async () => {
      if (!set.delete(subscriber)) return;
      this.told.delete(subscriber);
      if (set.size === 0) this.subscribers.delete(channel);
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

  /** Drops every subscription and closes the connection (the database handle is closing). */
  async close(): Promise<void> {
    this.subscribers.clear();
    this.told.clear();
    await this.sync();
  }

  private sync(): Promise<void> {
    this.work = this.work.then(() => this.reconcile()).catch((error) => this.log.warn({ err: error }, 'notification listener: LISTEN failed'));
    return this.work;
  }

  /** Brings the connection in line with the subscriptions: open, LISTEN, UNLISTEN, or close. */
  private async reconcile(): Promise<void> {
    if (this.subscribers.size === 0) {
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
    for (const channel of this.subscribers.keys()) {
      if (!this.listening.has(channel)) {
        await client.query(`listen ${channel}`);
        this.listening.add(channel);
      }
    }
    for (const channel of [...this.listening]) {
      if (!this.subscribers.has(channel)) {
        this.listening.delete(channel);
        await client.query(`unlisten ${channel}`);
      }
    }
    if (this.client === client) this.tellListening();
  }

  private async connect(): Promise<void> {
    // Loaded here, not at module load: a SQLite process never loads the driver.
    const { default: pgDriver } = await import('pg');
    const client = new pgDriver.Client({ connectionString: this.connectionString, application_name: this.applicationName, keepAlive: true });
    client.on('notification', (message) => {
      if (this.client === client) this.dispatch(message.channel, message.payload ?? '');
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('listener connection ended')));
    try {
      await client.connect();
      const channels = [...this.subscribers.keys()];
      for (const channel of channels) await client.query(`listen ${channel}`);
      if (this.lostClients.has(client)) return;
      this.client = client;
      for (const channel of channels) this.listening.add(channel);
      this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS).unref();
      if (this.failures > 0) this.log.info('notification listener reconnected');
      this.failures = 0;
    } catch (error) {
      this.lost(client, error);
      return;
    }
    // Whatever was notified while nobody listened is found by one look now.
    this.tellListening();
  }

  /** Subscribers whose channel is listened to on this connection and who were not told yet. */
  private tellListening(): void {
    for (const channel of this.listening) {
      for (const subscriber of this.subscribers.get(channel) ?? []) {
        if (this.told.has(subscriber)) continue;
        this.told.add(subscriber);
        this.call(channel, () => subscriber.onListening());
      }
    }
  }

  private dispatch(channel: string, payload: string): void {
    for (const subscriber of this.subscribers.get(channel) ?? []) this.call(channel, () => subscriber.onNotification(payload));
  }

  private call(channel: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.log.error({ err: error, channel }, 'notification listener threw');
    }
  }

  /** A query that does not answer in time means the connection is dead or stuck: start over. */
  private beat(client: pg.Client): void {
    const timer = setTimeout(() => this.lost(client, new Error('listener heartbeat timed out')), HEARTBEAT_TIMEOUT_MS).unref();
    client.query('select 1').then(
      () => clearTimeout(timer),
      (error: unknown) => {
        clearTimeout(timer);
        this.lost(client, error);
      },
    );
  }

  /** The connection broke or never opened: drop it and try again after a growing pause. */
  private lost(client: pg.Client, error?: unknown): void {
    // Each client is lost once, whichever of error, end or a failed heartbeat tells first.
    if (this.lostClients.has(client)) return;
    this.lostClients.add(client);
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.on('error', () => {});
    client.end().catch(() => {});
    if (this.client === client) {
      this.client = undefined;
      clearInterval(this.heartbeat);
      this.listening.clear();
      this.told.clear();
      for (const [channel, set] of this.subscribers) for (const subscriber of set) this.call(channel, () => subscriber.onLost(error));
    }
    if (this.subscribers.size === 0 || this.retry) return;
    const delay = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures);
    // One warning per outage, not one per attempt.
    if (this.failures === 0) this.log.warn({ err: error }, 'notification listener lost its connection; reconnecting (queues poll and the list cache reads the database meanwhile)');
    this.failures++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.sync();
    }, delay);
    this.retry.unref();
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.listening.clear();
    this.told.clear();
    if (!client) return;
    this.lostClients.add(client);
    client.removeAllListeners('end');
    client.on('error', () => {});
    await client.end().catch(() => {});
  }
}
