import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as becknKeyRepository from '../../src/beckn/beckn-key.repository.ts';
import { listPublicKeys, loadSigningKey } from '../../src/beckn/bpp-keys.ts';
import { authenticateRequest, createRegistry, registerSubscriber } from '../../src/beckn/registry.ts';
import { generateKeyPair, signRequest } from '../../src/beckn/signature.ts';
import { ConfigError } from '../../src/config.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { AppError } from '../../src/errors.ts';
import { startBecknBap } from '../../simulators/beckn-bap.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;

// A Beckn registry in miniature: POST /lookup answers the subscribers matching subscriber_id and ukId.
interface RemoteEntry { subscriber_id: string; ukId: string; signing_public_key: string; subscriber_url: string; type: string; status: string; valid_until: string }
const remote: { entries: RemoteEntry[]; calls: unknown[]; failing: boolean } = { entries: [], calls: [], failing: false };
let registryServer: http.Server;
let registryUrl = '';

beforeAll(async () => {
  handle = await createTestDatabase();
  registryServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/lookup') return void res.writeHead(404).end();
      if (remote.failing) return void res.writeHead(502).end('bad gateway');
      const query = JSON.parse(Buffer.concat(chunks).toString()) as { subscriber_id: string; ukId: string };
      remote.calls.push(query);
      const found = remote.entries.filter((e) => e.subscriber_id === query.subscriber_id && e.ukId === query.ukId);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found));
    });
  });
  await new Promise<void>((resolve) => registryServer.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registryServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => registryServer.close(() => resolve()));
  await handle?.close();
});

beforeEach(() => {
  remote.entries = [];
  remote.calls = [];
  remote.failing = false;
});

describe('our signing key', () => {
  it('is generated once on first start, and every concurrent starter gets the same one', async () => {
    const config = { subscriberId: 'gen.bpp.example', keyId: undefined, privateKey: undefined };
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadSigningKey(handle.db, config)));
    expect(new Set(keys.map((k) => k.keyId)).size).toBe(1);
    expect(keys[0]!.keyId).toMatch(/^key-\d{8}-[0-9a-f]{8}$/);
    expect(await listPublicKeys(handle.db, 'gen.bpp.example')).toEqual([
      expect.objectContaining({ keyId: keys[0]!.keyId, publicKey: keys[0]!.publicKey }),
    ]);
    // A restart finds it again.
    expect(await loadSigningKey(handle.db, config)).toEqual(keys[0]);
  });

  it('uses the configured key and stores it, replacing an older seed under the same id', async () => {
    const first = generateKeyPair();
    const config = { subscriberId: 'conf.bpp.example', keyId: 'k-configured', privateKey: first.privateKey };
    expect(await loadSigningKey(handle.db, config)).toEqual({ subscriberId: 'conf.bpp.example', keyId: 'k-configured', ...first });
    const second = generateKeyPair();
    expect((await loadSigningKey(handle.db, { ...config, privateKey: second.privateKey })).publicKey).toBe(second.publicKey);
    expect((await becknKeyRepository.findSigningKey(handle.db, 'k-configured'))?.publicKey).toBe(second.publicKey);
    // Without configuration the newest active key of the table signs.
    expect((await loadSigningKey(handle.db, { ...config, keyId: undefined, privateKey: undefined })).keyId).toBe('k-configured');
  });

  it('selects a stored key by id alone, and refuses an unknown id or a bad seed', async () => {
    await loadSigningKey(handle.db, { subscriberId: 'sel.bpp.example', keyId: 'k-old', privateKey: generateKeyPair().privateKey });
    expect((await loadSigningKey(handle.db, { subscriberId: 'sel.bpp.example', keyId: 'k-old', privateKey: undefined })).keyId).toBe('k-old');
    await expect(loadSigningKey(handle.db, { subscriberId: 'sel.bpp.example', keyId: 'k-none', privateKey: undefined })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadSigningKey(handle.db, { subscriberId: 'sel.bpp.example', keyId: 'k-bad', privateKey: 'AAAA' })).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('registry lookup', () => {
  const bap = generateKeyPair();

  it('finds a subscribed key of the local table within its validity', async () => {
    await registerSubscriber(handle.db, { subscriberId: 'bap.local', keyId: 'k1', publicKey: bap.publicKey, subscriberUrl: 'http://bap.local/beckn' });
    const registry = createRegistry({ db: handle.db });
    expect(await registry.lookup('bap.local', 'k1')).toEqual({
      publicKey: bap.publicKey, subscriberUrl: 'http://bap.local/beckn', type: 'BAP', validUntil: undefined,
    });
    expect(await registry.lookup('bap.local', 'k2')).toBeUndefined();
    expect(await registry.lookup('bap.other', 'k1')).toBeUndefined();
  });

  it('ignores unsubscribed, expired and not yet valid entries, and sees replacements at once', async () => {
    const registry = createRegistry({ db: handle.db });
    const hour = 3_600_000;
    await registerSubscriber(handle.db, { subscriberId: 'bap.states', keyId: 'k', publicKey: bap.publicKey, status: 'SUSPENDED' });
    expect(await registry.lookup('bap.states', 'k')).toBeUndefined();
    await registerSubscriber(handle.db, { subscriberId: 'bap.states', keyId: 'k', publicKey: bap.publicKey, validUntil: new Date(Date.now() - hour) });
    expect(await registry.lookup('bap.states', 'k')).toBeUndefined();
    await registerSubscriber(handle.db, { subscriberId: 'bap.states', keyId: 'k', publicKey: bap.publicKey, validFrom: new Date(Date.now() + hour) });
    expect(await registry.lookup('bap.states', 'k')).toBeUndefined();
    const until = new Date(Date.now() + hour);
    await registerSubscriber(handle.db, { subscriberId: 'bap.states', keyId: 'k', publicKey: bap.publicKey, type: 'BG', validUntil: until });
    expect(await registry.lookup('bap.states', 'k')).toMatchObject({ type: 'BG', validUntil: until });
  });

  it('refuses to register something that is not an ed25519 public key', async () => {
    await expect(registerSubscriber(handle.db, { subscriberId: 'x', keyId: 'k', publicKey: 'bm90IGEga2V5' })).rejects.toBeInstanceOf(AppError);
  });

  it('asks the remote registry for keys it does not hold, and caches the answer', async () => {
    const remoteKey = generateKeyPair();
    remote.entries.push({
      subscriber_id: 'bap.remote', ukId: 'rk1', signing_public_key: remoteKey.publicKey, subscriber_url: 'https://bap.remote/beckn',
      type: 'BAP', status: 'SUBSCRIBED', valid_until: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const registry = createRegistry({ db: handle.db, registryUrl: `${registryUrl}/` });
    expect(await registry.lookup('bap.remote', 'rk1')).toMatchObject({ publicKey: remoteKey.publicKey, subscriberUrl: 'https://bap.remote/beckn', type: 'BAP' });
    expect(await registry.lookup('bap.remote', 'rk1')).toMatchObject({ publicKey: remoteKey.publicKey });
    expect(remote.calls).toEqual([{ subscriber_id: 'bap.remote', ukId: 'rk1' }]);
    // Local keys never go to the remote registry.
    await registerSubscriber(handle.db, { subscriberId: 'bap.local2', keyId: 'k1', publicKey: bap.publicKey });
    expect(await registry.lookup('bap.local2', 'k1')).toMatchObject({ publicKey: bap.publicKey });
    expect(remote.calls).toHaveLength(1);
  });

  it('caches an unknown key briefly, and skips remote entries that are expired or of another key', async () => {
    let clock = Date.now();
    const registry = createRegistry({ db: handle.db, registryUrl, negativeCacheTtlMs: 1_000, now: () => new Date(clock) });
    remote.entries.push({
      subscriber_id: 'bap.gone', ukId: 'g1', signing_public_key: bap.publicKey, subscriber_url: 'https://bap.gone',
      type: 'BAP', status: 'SUBSCRIBED', valid_until: new Date(clock - 1_000).toISOString(),
    });
    expect(await registry.lookup('bap.gone', 'g1')).toBeUndefined();
    expect(await registry.lookup('bap.gone', 'g1')).toBeUndefined();
    expect(remote.calls).toHaveLength(1);
    clock += 1_500;
    expect(await registry.lookup('bap.gone', 'g1')).toBeUndefined();
    expect(remote.calls).toHaveLength(2);
  });

  it('reports an unreachable registry as UNAVAILABLE (not as an unknown key) and does not cache it', async () => {
    remote.failing = true;
    const registry = createRegistry({ db: handle.db, registryUrl });
    await expect(registry.lookup('bap.down', 'k')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    remote.failing = false;
    expect(await registry.lookup('bap.down', 'k')).toBeUndefined();
  });
});

describe('authenticateRequest', () => {
  const keys = generateKeyPair();
  const body = JSON.stringify({ context: { action: 'search' }, message: {} });

  beforeAll(() => registerSubscriber(handle.db, { subscriberId: 'bap.auth', keyId: 'a1', publicKey: keys.publicKey }));

  it('accepts a request signed with a registered key and names the sender', async () => {
    const header = signRequest({ body, subscriberId: 'bap.auth', keyId: 'a1', privateKey: keys.privateKey });
    const result = await authenticateRequest(createRegistry({ db: handle.db }), { header, body });
    expect(result).toMatchObject({ ok: true, signature: { subscriberId: 'bap.auth', keyId: 'a1' }, subscriber: { publicKey: keys.publicKey } });
  });

  it('refuses unknown keys, other bodies and missing headers', async () => {
    const registry = createRegistry({ db: handle.db });
    const unknown = signRequest({ body, subscriberId: 'bap.auth', keyId: 'a2', privateKey: keys.privateKey });
    expect(await authenticateRequest(registry, { header: unknown, body })).toMatchObject({ ok: false, reason: 'unknown_key' });
    const header = signRequest({ body, subscriberId: 'bap.auth', keyId: 'a1', privateKey: keys.privateKey });
    expect(await authenticateRequest(registry, { header, body: `${body}\n` })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(await authenticateRequest(registry, { header: undefined, body })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('the BAP simulator against a stand-in BPP', () => {
  it('sends signed requests the registry authenticates, and verifies the signed callbacks', async () => {
    const bppKey = await loadSigningKey(handle.db, { subscriberId: 'sim.bpp.example', keyId: undefined, privateKey: undefined });
    const registry = createRegistry({ db: handle.db });
    const seen: string[] = [];
    // A BPP in miniature: authenticate, ACK, then call back on_<action> signed with our key.
    const bpp = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const raw = Buffer.concat(chunks).toString();
        const auth = await authenticateRequest(registry, { header: req.headers.authorization, body: raw });
        seen.push(auth.ok ? 'ok' : auth.reason);
        if (!auth.ok) return void res.writeHead(401).end(JSON.stringify({ message: { ack: { status: 'NACK' } } }));
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ message: { ack: { status: 'ACK' } } }));
        const request = JSON.parse(raw) as { context: Record<string, string> };
        const callback = JSON.stringify({ context: { ...request.context, action: `on_${request.context.action}` }, message: {} });
        await fetch(`${request.context.bap_uri}/on_${request.context.action}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: signRequest({ body: callback, ...bppKey }) },
          body: callback,
        });
      });
    });
    await new Promise<void>((resolve) => bpp.listen(0, '127.0.0.1', resolve));
    const bppUri = `http://127.0.0.1:${(bpp.address() as AddressInfo).port}/beckn`;
    const bap = await startBecknBap({ bppUri, bppId: 'sim.bpp.example', subscriberId: 'bap.sim', keyId: 's1', bppPublicKey: bppKey.publicKey });
    try {
      const unregistered = await bap.send('search', { intent: {} });
      expect(unregistered.status).toBe(401);
      await registerSubscriber(handle.db, { subscriberId: bap.subscriberId, keyId: bap.keyId, publicKey: bap.publicKey, subscriberUrl: bap.url });

      const { ack, callback } = await bap.request('search', { intent: {} });
      expect(ack.context).toMatchObject({ domain: 'dent:0.1.0', version: '1.1.0', bap_id: 'bap.sim', bap_uri: bap.url, bpp_id: 'sim.bpp.example', ttl: 'PT30S' });
      expect(callback).toMatchObject({ action: 'on_search', verified: true });
      expect(callback.body.context.message_id).toBe(ack.messageId);
      expect(seen).toEqual(['unknown_key', 'ok']);

      // While down the BAP answers 503 and records nothing but the attempt.
      bap.setDown(true);
      await bap.send('status', { order_id: 'o1' });
      await expect.poll(() => bap.deliveries.filter((d) => d.status === 503)).toHaveLength(1);
      expect(bap.callbacks.map((c) => c.action)).toEqual(['on_search']);
      bap.setDown(false);
      await expect(bap.waitFor('on_status', undefined, 200)).rejects.toThrow(/no on_status/);

      const raw = await bap.sendRaw('search', '{"context":{}}', { authorization: 'Signature nonsense' });
      expect(raw.status).toBe(401);
    } finally {
      await bap.close();
      await new Promise<void>((resolve) => bpp.close(() => resolve()));
    }
  });

  it('records a callback signed with another key as unverified', async () => {
    const server = http.createServer((_req, res) => res.writeHead(200).end('{"message":{"ack":{"status":"ACK"}}}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const bap = await startBecknBap({
      bppUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, subscriberId: 'bap.sim2', keyId: 's2',
      lookup: async () => generateKeyPair().publicKey,
    });
    try {
      const impostor = generateKeyPair();
      const body = '{"context":{"action":"on_status"},"message":{}}';
      await fetch(`${bap.url}/on_status`, {
        method: 'POST',
        headers: { authorization: signRequest({ body, subscriberId: 'sim.bpp.example', keyId: 'x', privateKey: impostor.privateKey }) },
        body,
      });
      const callback = await bap.waitFor('on_status');
      expect(callback.verified).toBe(false);
      expect(callback.verifyError).toMatch(/^bad_signature/);
    } finally {
      await bap.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
