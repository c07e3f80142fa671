import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as becknMessageRepository from '../../src/beckn/beckn-message.repository.ts';
import { startCallbackDispatcher, type CallbackDispatcher, type DispatcherDeps } from '../../src/beckn/callback-dispatcher.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createLogger } from '../../src/logger.ts';
import { eventually } from '../fixtures/test-app.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

// The callback outbox on a real database, without the app: what is owed survives a restart, two
// nodes share the table without sending anything twice, and a callback ends failed or superseded.

let handle: DatabaseHandle;
const log = createLogger('silent');

/** A BAP in miniature: records every POST; answers 503 NACK while down, 200 ACK otherwise. */
interface Received { path: string; authorization: string | undefined; body: any }
const bap = { down: false, received: [] as Received[], refused: 0, url: '' };
let server: http.Server;

beforeAll(async () => {
  handle = await createTestDatabase();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (bap.down) {
        bap.refused++;
        return void res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: { ack: { status: 'NACK' } } }));
      }
      bap.received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: { ack: { status: 'ACK' } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  bap.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bap`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await handle?.close();
});

const dispatchers: CallbackDispatcher[] = [];
beforeEach(async () => {
  await Promise.all(dispatchers.splice(0).map((d) => d.close()));
  bap.down = false;
  bap.received = [];
  bap.refused = 0;
});

function start(overrides: Partial<DispatcherDeps> = {}): CallbackDispatcher {
  const dispatcher = startCallbackDispatcher({
    db: handle.db,
    log,
    buildBody: async () => {
      throw new Error('every callback of this test has its body');
    },
    sign: (body) => `Signature test="${body.length}"`,
    intervalMs: 50,
    maxAttempts: 10,
    retryMs: 100,
    ...overrides,
  });
  dispatchers.push(dispatcher);
  return dispatcher;
}

async function enqueue(action = 'on_status', body: unknown = undefined) {
  const transactionId = randomUUID();
  const messageId = randomUUID();
  const content = body === undefined ? { context: { action, transaction_id: transactionId, message_id: messageId }, message: {} } : body;
  return becknMessageRepository.enqueueCallback(handle.db, {
    action, bapId: 'bap.dispatcher.example', bapUri: bap.url, transactionId, messageId,
    body: content === null ? null : JSON.stringify(content),
  });
}

const rowOf = (id: number) => handle.db.selectFrom('becknCallback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const receivedOf = (messageId: string) => bap.received.filter((r) => r.body?.context?.message_id === messageId);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the callback dispatcher', () => {
  it('keeps a failed callback across a restart, and the new node delivers it exactly once', async () => {
    bap.down = true;
    const callback = await enqueue('on_update');
    const first = start();
    first.kick();
    await eventually(async () => (await rowOf(callback.id)).attempts >= 1);
    await first.close();
    const failed = await rowOf(callback.id);
    expect(failed.status).toBe('pending');
    expect(failed.lastStatus).toBe(503);
    expect(failed.lastError).toMatch(/503/);
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() - 1000);
    const attemptsBefore = failed.attempts;

    // The node is gone; its retry is still owed. A new one, with the BAP back, sends it.
    bap.down = false;
    start();
    const delivered = await eventually(async () => {
      const row = await rowOf(callback.id);
      return row.status === 'delivered' ? row : undefined;
    });
    expect(delivered.attempts).toBe(attemptsBefore + 1);
    expect(delivered.lastStatus).toBe(200);
    expect(delivered.lastError).toBeNull();
    expect(delivered.deliveredAt).toBeInstanceOf(Date);
    await pause(400);
    const got = receivedOf(callback.messageId);
    expect(got).toHaveLength(1);
    expect(got[0]!.path).toBe('/bap/on_update');
    // Signed as sent: the header is the one sign() made for exactly this body.
    expect(got[0]!.authorization).toBe(`Signature test="${JSON.stringify(got[0]!.body).length}"`);
  });

  it('two nodes on one table deliver each callback once', async () => {
    const callbacks: becknMessageRepository.BecknCallbackRow[] = [];
    for (let i = 0; i < 40; i++) callbacks.push(await enqueue('on_status'));
    const a = start();
    const b = start();
    a.kick();
    b.kick();
    await eventually(async () => {
      const rows = await handle.db.selectFrom('becknCallback').select('status').where('id', 'in', callbacks.map((c) => c.id)).execute();
      return rows.every((r) => r.status === 'delivered');
    }, 8000);
    await pause(400);
    for (const c of callbacks) expect(receivedOf(c.messageId), c.messageId).toHaveLength(1);
    const rows = await handle.db.selectFrom('becknCallback').select('attempts').where('id', 'in', callbacks.map((c) => c.id)).execute();
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('gives a callback up after the last attempt', async () => {
    bap.down = true;
    const callback = await enqueue('on_confirm');
    start({ maxAttempts: 3, retryMs: 20 }).kick();
    const row = await eventually(async () => {
      const r = await rowOf(callback.id);
      return r.status === 'failed' ? r : undefined;
    });
    expect(row.attempts).toBe(3);
    expect(row.lastStatus).toBe(503);
    await pause(300);
    expect(bap.refused).toBe(3);
    expect((await rowOf(callback.id)).attempts).toBe(3);
  });

  it('builds a missing body once, and marks superseded a callback that has none to send', async () => {
    const owed = await enqueue('on_confirm', null);
    const built = await enqueue('on_status', null);
    const builds: string[] = [];
    start({
      buildBody: async (c) => {
        builds.push(c.messageId);
        return c.messageId === owed.messageId ? undefined : { context: { action: c.action, message_id: c.messageId }, message: { ok: true } };
      },
    }).kick();
    const superseded = await eventually(async () => {
      const r = await rowOf(owed.id);
      return r.status === 'superseded' ? r : undefined;
    });
    expect(superseded.body).toBeNull();
    expect(superseded.deliveredAt).toBeNull();
    const delivered = await eventually(async () => {
      const r = await rowOf(built.id);
      return r.status === 'delivered' ? r : undefined;
    });
    expect(delivered.body).toEqual({ context: { action: 'on_status', message_id: built.messageId }, message: { ok: true } });
    await pause(300);
    expect(receivedOf(owed.messageId)).toHaveLength(0);
    expect(receivedOf(built.messageId)).toHaveLength(1);
    expect(builds.sort()).toEqual([owed.messageId, built.messageId].sort());
  });
});
