import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, parseSignatureHeader, publicKeyOf, signRequest, verifyRequest } from '../src/beckn/signature.ts';

// A Beckn BAP (buyer platform) for tests and the command line: it sends signed DENT requests to a
// BPP and collects the on_* callbacks on its own HTTP server, checking each callback's signature.

export interface BapCallback {
  action: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: any;
  rawBody: string;
  headers: http.IncomingHttpHeaders;
  /** The Authorization header verified against the BPP's key (false when signing is off). */
  verified: boolean;
  /** Why it did not verify. */
  verifyError?: string;
  receivedAt: Date;
}

/** Every callback POST, including those answered 503 while down. */
export interface BapDelivery { action: string; status: number; at: Date }

export interface SendResult {
  status: number;
  /** Parsed JSON, or the text when the answer is not JSON. */
  body: any;
  context: BecknContext;
  messageId: string;
  transactionId: string;
}

export type BecknContext = Record<string, unknown> & { action: string; message_id: string; transaction_id: string };

export interface BecknBapOptions {
  /** The BPP's base URL: requests go to `${bppUri}/${action}`. */
  bppUri: string;
  /** The BPP's subscriber id (context.bpp_id); default the host of bppUri. */
  bppId?: string;
  subscriberId: string;
  keyId: string;
  /** base64 ed25519 seed; generated when absent (read it back from `publicKey`). */
  privateKey?: string;
  port?: number;
  host?: string;
  /** The BPP's public key, to verify callbacks with … */
  bppPublicKey?: string;
  /** … or a lookup by the callback's (subscriber id, key id). */
  lookup?: (subscriberId: string, keyId: string) => Promise<string | undefined>;
  /** Sign requests and verify callbacks (default true). */
  signing?: boolean;
  /** Answer an unverifiable callback 401 NACK, as a strict BAP would (default: accept and record verified=false). */
  requireSignature?: boolean;
  domain?: string;
  /** Extra context fields for every request (location, ttl…). */
  context?: Record<string, unknown>;
  log?: (line: string) => void;
}

export interface BecknBap {
  url: string;
  subscriberId: string;
  keyId: string;
  publicKey: string;
  /** The transaction the next send() uses unless its overrides name another. */
  transactionId: string;
  callbacks: BapCallback[];
  deliveries: BapDelivery[];
  send(action: string, message: unknown, contextOverrides?: Record<string, unknown>): Promise<SendResult>;
  /** Sends a body as given (already serialised), with the given headers: for malformed and badly signed requests. */
  sendRaw(action: string, body: string, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Resolves with the first callback of that action not yet handed out by an earlier waitFor. */
  waitFor(action: string, predicate?: (callback: BapCallback) => boolean, timeoutMs?: number): Promise<BapCallback>;
  /** send() then waitFor(on_<action>) with the same message_id. */
  request(action: string, message: unknown, contextOverrides?: Record<string, unknown>, timeoutMs?: number): Promise<{ ack: SendResult; callback: BapCallback }>;
  newTransaction(): string;
  setDown(down: boolean): void;
  close(): Promise<void>;
}

const ACK = JSON.stringify({ message: { ack: { status: 'ACK' } } });
const NACK = (code: string, message: string) =>
  JSON.stringify({ message: { ack: { status: 'NACK' } }, error: { type: 'CONTEXT-ERROR', code, message } });

const parseJson = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

export async function startBecknBap(options: BecknBapOptions): Promise<BecknBap> {
  const log = options.log ?? (() => {});
  const signing = options.signing ?? true;
  const privateKey = options.privateKey ?? generateKeyPair().privateKey;
  const publicKey = publicKeyOf(privateKey);
  const bppUri = options.bppUri.replace(/\/+$/, '');
  const bppId = options.bppId ?? new URL(bppUri).host;
  const callbacks: BapCallback[] = [];
  const deliveries: BapDelivery[] = [];
  const handedOut = new Set<BapCallback>();
  const waiters = new Set<() => void>();
  let down = false;

  async function verifyCallback(header: string | undefined, raw: string): Promise<{ verified: boolean; error?: string }> {
    if (!signing) return { verified: false, error: 'signing is off' };
    if (!header) return { verified: false, error: 'no Authorization header' };
    let key = options.bppPublicKey;
    if (!key && options.lookup) {
      try {
        const parsed = parseSignatureHeader(header);
        key = await options.lookup(parsed.subscriberId, parsed.keyId);
      } catch (err) {
        return { verified: false, error: (err as Error).message };
      }
    }
    if (!key) return { verified: false, error: 'no public key of the BPP' };
    const result = verifyRequest({ header, body: raw, publicKey: key });
    return result.ok ? { verified: true } : { verified: false, error: `${result.reason}: ${result.message}` };
  }

  async function onCallback(req: http.IncomingMessage, raw: string): Promise<{ status: number; body: string }> {
    const action = new URL(req.url ?? '/', 'http://bap').pathname.split('/').filter(Boolean).pop() ?? '';
    if (req.method !== 'POST' || !action.startsWith('on_')) return { status: 404, body: NACK('404', 'not a callback') };
    if (down) {
      deliveries.push({ action, status: 503, at: new Date() });
      return { status: 503, body: NACK('503', 'the BAP is down') };
    }
    const check = await verifyCallback(req.headers.authorization, raw);
    if (!check.verified && signing && options.requireSignature) {
      deliveries.push({ action, status: 401, at: new Date() });
      log(`${action} refused: ${check.error}`);
      return { status: 401, body: NACK('401', check.error ?? 'unverified') };
    }
    const callback: BapCallback = {
      action,
      body: parseJson(raw),
      rawBody: raw,
      headers: req.headers,
      verified: check.verified,
      ...(check.error ? { verifyError: check.error } : {}),
      receivedAt: new Date(),
    };
    callbacks.push(callback);
    deliveries.push({ action, status: 200, at: callback.receivedAt });
    log(`${action} received${check.verified ? ' (signature ok)' : ` (unverified: ${check.error})`}`);
    for (const wake of [...waiters]) wake();
    return { status: 200, body: ACK };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      onCallback(req, Buffer.concat(chunks).toString('utf8'))
        .then(({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body))
        .catch((err: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(NACK('500', err.message)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;

  async function post(action: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
    const res = await fetch(`${bppUri}/${action}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await res.text();
    return { status: res.status, body: parseJson(text) ?? text };
  }

  const bap: BecknBap = {
    url,
    subscriberId: options.subscriberId,
    keyId: options.keyId,
    publicKey,
    transactionId: randomUUID(),
    callbacks,
    deliveries,

    async send(action, message, contextOverrides = {}) {
      const context = {
        domain: options.domain ?? 'dent:0.1.0',
        action,
        version: '1.1.0',
        bap_id: options.subscriberId,
        bap_uri: url,
        bpp_id: bppId,
        bpp_uri: bppUri,
        transaction_id: bap.transactionId,
        message_id: randomUUID(),
        timestamp: new Date().toISOString(),
        ttl: 'PT30S',
        ...options.context,
        ...contextOverrides,
      } as BecknContext;
      const body = JSON.stringify({ context, message });
      const headers: Record<string, string> = signing
        ? { authorization: signRequest({ body, subscriberId: options.subscriberId, keyId: options.keyId, privateKey }) }
        : {};
      const answer = await post(action, body, headers);
      log(`${action} → ${answer.status} ${JSON.stringify(answer.body)}`);
      return { ...answer, context, messageId: context.message_id, transactionId: context.transaction_id };
    },

    sendRaw: (action, body, headers = {}) => post(action, body, headers),

    waitFor(action, predicate = () => true, timeoutMs = 10_000) {
      return new Promise<BapCallback>((resolve, reject) => {
        const check = (): boolean => {
          const found = callbacks.find((c) => c.action === action && !handedOut.has(c) && predicate(c));
          if (!found) return false;
          handedOut.add(found);
          resolve(found);
          return true;
        };
        if (check()) return;
        const wake = () => {
          if (check()) done();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${action} callback within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => (clearTimeout(timer), waiters.delete(wake));
        waiters.add(wake);
      });
    },

    async request(action, message, contextOverrides, timeoutMs) {
      const ack = await bap.send(action, message, contextOverrides);
      if (ack.status !== 200 || ack.body?.message?.ack?.status !== 'ACK') {
        throw new Error(`${action} was not acknowledged: ${ack.status} ${JSON.stringify(ack.body)}`);
      }
      const callback = await bap.waitFor(`on_${action}`, (c) => c.body?.context?.message_id === ack.messageId, timeoutMs);
      return { ack, callback };
    },

    newTransaction() {
      bap.transactionId = randomUUID();
      return bap.transactionId;
    },

    setDown(value) {
      down = value;
    },

    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return bap;
}
