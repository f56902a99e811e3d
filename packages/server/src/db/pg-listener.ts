import type pg from 'pg';

export interface PgListenerEvents {
  /** A NOTIFY on one of the channels arrived. */
  onNotification(channel: string, payload: string | undefined): void;
  /** LISTEN is in force on every channel: from now on, every commit's notification arrives. */
  onListening(): void;
  /** The connection is gone (or not yet up): notifications may be lost until onListening again. */
  onLost(error: unknown): void;
}

const RECONNECT_MS = 1000;
const HEARTBEAT_MS = 2000;
const HEARTBEAT_TIMEOUT_MS = 2000;

/**
 * One dedicated PostgreSQL connection that LISTENs on a few channels (a pooled client cannot: the
 * pool would hand it to queries and drop the subscription). It reconnects after any failure, and a
 * heartbeat query detects a connection that died silently (a cut network sends no FIN) within
 * about four seconds: until onListening is called again, the owner must not trust that it hears
 * every notification. Self-contained on purpose: the webhook wake-up listener
 * (webhooks/wake-listener.ts) and job queues can share it.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private readonly lost = new WeakSet<pg.Client>();

  constructor(
    private readonly connectionString: string,
    private readonly channels: readonly string[],
    private readonly events: PgListenerEvents,
    private readonly applicationName = 'arkiv-listener',
  ) {}

  /** Starts connecting; resolves once listening or once the first attempt failed (it retries). */
  start(): Promise<void> {
    return (this.starting ??= this.connect());
  }

  private async connect(): Promise<void> {
    // Loaded here, not at module load: a SQLite process imports this module but never starts it.
    const { default: pgDriver } = await import('pg');
    if (this.stopped) return;
    const client = new pgDriver.Client({ connectionString: this.connectionString, application_name: this.applicationName, keepAlive: true });
    client.on('notification', (message) => {
      if (this.client === client) this.events.onNotification(message.channel, message.payload);
    });
    client.on('error', (error) => this.lose(client, error));
    client.on('end', () => this.lose(client, new Error('listener connection ended')));
    try {
      await client.connect();
      for (const channel of this.channels) await client.query(`listen "${channel.replaceAll('"', '""')}"`);
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      this.client = client;
      this.heartbeat = setInterval(() => this.beat(client), HEARTBEAT_MS).unref();
      this.events.onListening();
    } catch (error) {
      this.lose(client, error);
    }
  }

  /** A query that does not answer in time means the connection is dead or stuck: start over. */
  private beat(client: pg.Client): void {
    const timer = setTimeout(() => this.lose(client, new Error('listener heartbeat timed out')), HEARTBEAT_TIMEOUT_MS).unref();
    client.query('select 1').then(
      () => clearTimeout(timer),
      (error: unknown) => {
        clearTimeout(timer);
        this.lose(client, error);
      },
    );
  }

  private lose(client: pg.Client, error: unknown): void {
    // Each client is lost once, whichever of error, end or a failed heartbeat tells first.
    if (this.lost.has(client)) return;
    this.lost.add(client);
    client.removeAllListeners('end');
    client.removeAllListeners('notification');
    client.removeAllListeners('error');
    client.on('error', () => {});
    void client.end().catch(() => {});
    if (this.client === client) {
      this.client = undefined;
      clearInterval(this.heartbeat);
    }
    if (this.stopped) return;
    this.events.onLost(error);
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.starting = undefined;
      if (!this.stopped) void this.start();
    }, RECONNECT_MS).unref();
  }

  get listening(): boolean {
    return this.client !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    await this.starting?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
