import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, type ClusterBus } from '../../../src/cluster/cluster-bus.ts';
import { createPgBus } from '../../../src/cluster/pg-bus.ts';
import type { DatabaseHandle } from '../../../src/db/database.ts';
import { createTestDatabase } from '../../fixtures/test-database.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PostgreSQL cluster bus', () => {
  let handle: DatabaseHandle | undefined;
  let url = '';
  const buses: ClusterBus[] = [];
  async function bus(options: { applicationName?: string; onError?: (err: Error) => void } = {}): Promise<ClusterBus> {
    const created = await createPgBus({ url, ...options });
    buses.push(created);
    return created;
  }

  beforeAll(async () => {
    if (!onPostgres) return;
    handle = await createTestDatabase();
    url = handle.url!;
  });
  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await handle?.close();
  });

  it.skipIf(!onPostgres)('delivers between two buses on the same database, to the publisher too', async () => {
    const [a, b] = [await bus(), await bus()];
    const gotA: string[] = [];
    const gotB: string[] = [];
    await a.subscribe('ocpp_cmd_node_1', (m) => gotA.push(m));
    await b.subscribe('ocpp_cmd_node_1', (m) => gotB.push(m));
    await a.publish('ocpp_cmd_node_1', 'from a');
    await b.publish('ocpp_cmd_node_1', 'from b');
    await b.publish('ocpp_cmd_node_2', 'elsewhere');
    await waitFor('both messages on both buses', () => gotA.length === 2 && gotB.length === 2);
    expect(gotA).toEqual(['from a', 'from b']);
    expect(gotB).toEqual(['from a', 'from b']);
  });

  it.skipIf(!onPostgres)('carries a message of the full allowed size, multibyte characters included', async () => {
    const [a, b] = [await bus(), await bus()];
    const got: string[] = [];
    await b.subscribe('big', (m) => got.push(m));
    const message = 'é'.repeat(MAX_MESSAGE_BYTES / 2);
    await a.publish('big', message);
    await waitFor('the big message', () => got.length === 1);
    expect(got[0]).toBe(message);
    await expect(a.publish('big', `${message}x`)).rejects.toThrow(/limit is 7900/);
    await expect(a.publish('Not_valid', 'm')).rejects.toThrow(/invalid cluster bus channel/);
  });

  it.skipIf(!onPostgres)('stops delivering after unsubscribe', async () => {
    const [a, b] = [await bus(), await bus()];
    const dropped: string[] = [];
    const kept: string[] = [];
    const unsubscribe = await b.subscribe('unsub', (m) => dropped.push(m));
    await b.subscribe('unsub_kept', (m) => kept.push(m));
    await unsubscribe();
    await a.publish('unsub', 'nobody');
    await a.publish('unsub_kept', 'marker');
    await waitFor('the marker', () => kept.length === 1);
    expect(dropped).toEqual([]);
  });

  it.skipIf(!onPostgres)('survives pg_terminate_backend of its LISTEN connection and LISTENs again', async () => {
    const name = `bus_test_${randomBytes(4).toString('hex')}`;
    const errors: Error[] = [];
    const listening = await bus({ applicationName: name, onError: (err) => errors.push(err) });
    const publisher = await bus();
    const first: string[] = [];
    const second: string[] = [];
    await listening.subscribe('survive_1', (m) => first.push(m));
    await listening.subscribe('survive_2', (m) => second.push(m));

    const listenPids = async () => {
      const { rows } = await sql<{ pid: number; query: string; state: string }>`
        select pid, query, state from pg_stat_activity where application_name = ${`${name}-listen`}`.execute(handle!.db);
      return rows;
    };
    const [before] = await listenPids();
    expect(before?.query).toMatch(/^LISTEN/);
    await sql`select pg_terminate_backend(${before!.pid}::int)`.execute(handle!.db);

    await waitFor('the drop to be reported', () => errors.length > 0);
    await waitFor('a new LISTEN connection', async () => {
      const rows = await listenPids();
      return rows.length === 1 && rows[0]!.pid !== before!.pid && rows[0]!.state === 'idle' && /^LISTEN/.test(rows[0]!.query);
    });
    await publisher.publish('survive_1', 'after reconnect 1');
    await publisher.publish('survive_2', 'after reconnect 2');
    await waitFor('both channels to deliver again', () => first.length === 1 && second.length === 1);
    expect(first).toEqual(['after reconnect 1']);
    expect(second).toEqual(['after reconnect 2']);

    // A subscription made after the reconnect works too.
    const third: string[] = [];
    await listening.subscribe('survive_3', (m) => third.push(m));
    await publisher.publish('survive_3', 'late');
    await waitFor('the late subscriber', () => third.length === 1);
  });

  it.skipIf(!onPostgres)('a subscribe racing the loss of the LISTEN connection resolves once it is back', async () => {
    const name = `bus_race_${randomBytes(4).toString('hex')}`;
    const errors: Error[] = [];
    const listening = await bus({ applicationName: name, onError: (err) => errors.push(err) });
    const publisher = await bus();
    const got: string[] = [];
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${`${name}-listen`}`.execute(
      handle!.db,
    );
    // Issued before the client has noticed: its LISTEN fails or waits, and is redone on the new connection.
    await listening.subscribe('race', (m) => got.push(m));
    await publisher.publish('race', 'after');
    await waitFor('delivery after the reconnect', () => got.length === 1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it.skipIf(!onPostgres)('keeps retrying with backoff while the server is unreachable, then LISTENs again', async () => {
    // A TCP proxy in front of the server stands in for a server restart: connections cut, then refused.
    const target = new URL(url);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s)).on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as net.AddressInfo).port;
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(port);

    const errors: Error[] = [];
    const listening = await bus({ onError: (err) => errors.push(err) });
    const viaProxy = await createPgBus({ url: proxied.toString(), onError: (err) => errors.push(err) });
    buses.push(viaProxy);
    const got: string[] = [];
    await viaProxy.subscribe('restart', (m) => got.push(m));
    try {
      proxy.close();
      for (const s of sockets) s.destroy();
      await waitFor('failed reconnects', () => errors.filter((e) => /ECONNREFUSED/.test(e.message)).length >= 2);
      await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
      let sent = 0;
      // Published until one gets through: messages sent before the re-LISTEN are lost, as with NOTIFY.
      await waitFor('delivery after the outage', async () => {
        await listening.publish('restart', `m${sent++}`);
        await new Promise((r) => setTimeout(r, 50));
        return got.length > 0;
      });
    } finally {
      await viaProxy.close();
      proxy.close();
      for (const s of sockets) s.destroy();
    }
  });

  it.skipIf(!onPostgres)('close() ends its connections and makes later calls reject', async () => {
    const name = `bus_close_${randomBytes(4).toString('hex')}`;
    const closing = await createPgBus({ url, applicationName: name });
    await closing.subscribe('closing', () => undefined);
    await closing.publish('closing', 'm');
    await closing.close();
    await closing.close(); // idempotent
    await expect(closing.publish('closing', 'm')).rejects.toThrow(/closed/);
    await expect(closing.subscribe('closing', () => undefined)).rejects.toThrow(/closed/);
    await waitFor('its backends to go', async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity where application_name like ${`${name}-%`}`.execute(handle!.db);
      return rows[0]!.n === 0;
    });
  });

  it.skipIf(!onPostgres)('rejects at creation when the server cannot be reached', async () => {
    const unreachable = new URL(url);
    unreachable.port = '1';
    await expect(createPgBus({ url: unreachable.toString() })).rejects.toThrow();
  });
});
