import pg from 'pg';
import { assertChannel, assertMessage, type ClusterBus } from './cluster-bus.ts';
import { Subscriptions } from './subscriptions.ts';

export interface PgBusOptions {
  url: string;
  /** Lost connections, failed reconnects, throwing handlers: reported here, never thrown. */
  onError?: (err: Error) => void;
  /** Seen in pg_stat_activity as `<name>-listen` and `<name>-publish`. */
  applicationName?: string;
}

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
const CONNECT_TIMEOUT_MS = 10_000;
/** A LISTEN failing on this many fresh connections in a row is not a dropped connection. */
const MAX_LISTEN_ATTEMPTS = 3;

interface Listener {
  client: pg.Client;
  dead: boolean;
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
// Channels passed assertChannel ([a-z0-9_]), so quoting them needs no escaping.
const listenSql = (channels: string[], verb = 'LISTEN') => channels.map((c) => `${verb} "${c}"`).join('; ');

/**
 * LISTEN/NOTIFY over PostgreSQL. One dedicated client LISTENs (a pooled connection would hand its
 * LISTENs to whoever borrows it next); when it drops it is replaced with backoff and every channel that
 * still has subscribers is LISTENed again. Messages published while it is down are lost (see ClusterBus).
 */
export async function createPgBus(options: PgBusOptions): Promise<ClusterBus> {
  const name = options.applicationName ?? 'cluster-bus';
  const report = (err: unknown): void => {
    try {
      options.onError?.(toError(err));
    } catch {
      // an error reporter that throws must not take the connection handling down with it
    }
  };
  // Publishing goes through its own pool of two rather than the LISTEN client: a publish is never
  // stuck behind a reconnect, and pg.Pool replaces a dropped connection on the next query by itself.
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 2,
    application_name: `${name}-publish`,
    keepAlive: true,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  pool.on('error', report); // idle connection lost: the pool drops it

  const channels = new Subscriptions(report);
  let closed = false;
  let closing: Promise<void> | undefined;
  let listener: Listener | undefined; // connected and LISTENing on every channel of `channels`
  let connecting: Listener | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const waiters: Array<{ resolve: (l: Listener) => void; reject: (err: Error) => void }> = [];
  const closedError = () => new Error('cluster bus is closed');

  function dropped(conn: Listener, err: Error): void {
    if (conn.dead) return;
    conn.dead = true;
    conn.client.removeAllListeners('notification'); // its 'error' handler stays: late errors must not crash
    conn.client.end().catch(() => undefined);
    if (conn !== listener) return; // still being set up: its connect() fails and is retried
    listener = undefined;
    if (closed) return;
    report(err);
    scheduleReconnect(FIRST_RETRY_MS);
  }

  async function connect(listenTo: string[]): Promise<Listener> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: `${name}-listen`,
      keepAlive: true,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    const conn: Listener = (connecting = { client, dead: false });
    client.on('error', (err) => dropped(conn, err));
    client.on('end', () => dropped(conn, new Error('cluster bus LISTEN connection ended')));
    client.on('notification', (n) => channels.deliver(channels.of(n.channel), n.payload ?? ''));
    try {
      await client.connect();
      if (listenTo.length) await client.query(listenSql(listenTo));
      if (conn.dead) throw new Error('cluster bus LISTEN connection lost while connecting');
      return conn;
    } catch (err) {
      dropped(conn, toError(err));
      throw err;
    } finally {
      if (connecting === conn) connecting = undefined;
    }
  }

  function adopt(conn: Listener, listenedTo: string[]): void {
    if (conn.dead) {
      // Lost between its last check and now, while it was not yet `listener`: nobody else will retry.
      scheduleReconnect(FIRST_RETRY_MS);
      return;
    }
    listener = conn;
    for (const waiter of waiters.splice(0)) waiter.resolve(conn);
    // Unsubscribed while reconnecting: stop the server queueing for nobody.
    const gone = listenedTo.filter((c) => !channels.hasChannel(c));
    if (gone.length) conn.client.query(listenSql(gone, 'UNLISTEN')).catch(() => undefined);
  }

  function scheduleReconnect(delayMs: number): void {
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      const listenTo = channels.channelNames();
      connect(listenTo).then(
        (conn) => {
          if (closed) conn.client.end().catch(() => undefined);
          else adopt(conn, listenTo);
        },
        (err) => {
          if (closed) return;
          report(err);
          scheduleReconnect(Math.min(delayMs * 2, MAX_RETRY_MS));
        },
      );
    }, delayMs);
  }

  function currentListener(): Promise<Listener> {
    if (closed) return Promise.reject(closedError());
    if (listener) return Promise.resolve(listener);
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  }

  /** Resolves once `channel` is LISTENed on the live connection (after a reconnect if need be). */
  async function listen(channel: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const conn = await currentListener();
      try {
        await conn.client.query(listenSql([channel]));
        return;
      } catch (err) {
        if (closed) throw closedError();
        if (attempt >= MAX_LISTEN_ATTEMPTS) throw err;
        // The query error may arrive before the connection's own 'error'/'end': start over on a new one.
        dropped(conn, toError(err));
      }
    }
  }

  const assertOpen = () => {
    if (closed) throw closedError();
  };

  const first = await connect([]).catch(async (err) => {
    await pool.end().catch(() => undefined);
    throw err;
  });
  adopt(first, []);

  return {
    async publish(channel, message) {
      assertOpen();
      assertChannel(channel);
      assertMessage(message);
      await pool.query('select pg_notify($1, $2)', [channel, message]);
    },

    async subscribe(channel, handler) {
      assertOpen();
      assertChannel(channel);
      const subscription = channels.add(channel, handler);
      const unsubscribe = async (): Promise<void> => {
        if (channels.remove(channel, subscription) !== 'last') return;
        const conn = listener;
        // Without a live connection there is nothing to undo: a reconnect LISTENs only current channels.
        if (!conn || closed) return;
        await conn.client.query(listenSql([channel], 'UNLISTEN')).catch((err) => {
          if (!conn.dead) report(err);
        });
      };
      try {
        await listen(channel); // LISTEN is idempotent, so every subscriber waits for one of its own
      } catch (err) {
        await unsubscribe();
        throw err;
      }
      return unsubscribe;
    },

    close() {
      if (closing) return closing;
      closed = true;
      clearTimeout(retryTimer);
      for (const waiter of waiters.splice(0)) waiter.reject(closedError());
      channels.clear();
      const conns = [listener, connecting].filter((c): c is Listener => c !== undefined);
      listener = undefined;
      for (const conn of conns) conn.dead = true;
      closing = Promise.allSettled([...conns.map((c) => c.client.end()), pool.end()]).then(() => undefined);
      return closing;
    },
  };
}
