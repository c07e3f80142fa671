import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signWebhook } from '../src/payments/webhook-signature.ts';

// A stand-in for a real payment gateway (the API src/payments/gateway-provider.ts speaks): payment
// intents with a hosted payment page, refunds, Idempotency-Key replays, and HMAC-signed webhooks that
// are retried with backoff until the receiver answers 2xx — as Stripe or Razorpay do.

export interface SimIntent {
  id: string;
  amount: string;
  currency: string;
  description: string;
  method: string | null;
  orderId: string | null;
  returnUrl: string | null;
  expiresAt: Date | null;
  paymentUrl: string;
  status: 'pending' | 'succeeded' | 'failed';
  refundedCents: bigint;
}

export interface SimRefund { id: string; paymentIntent: string; amount: string; currency: string; reason: string; status: 'succeeded' }

export interface SimEvent { id: string; type: string; body: string; deliveries: number; delivered: boolean }

export interface PaymentGatewayOptions {
  port?: number;
  host?: string;
  apiKey: string;
  webhookSecret: string;
  /** Read at each delivery, so it can name a server that starts after the gateway. */
  webhookUrl: string | (() => string);
  /** Pay every new intent by itself: true = at once, a number = after that many ms. */
  autoPay?: boolean | number;
  /** Send the first N webhook deliveries but treat them as lost, so the same event arrives again. */
  failWebhooksFirst?: number;
  /** First retry delay, doubling per attempt (default 500 ms), and deliveries per event before giving up (default 8). */
  retryDelayMs?: number;
  maxDeliveries?: number;
  log?: (line: string) => void;
}

export interface PaymentGateway {
  url: string;
  intents: Map<string, SimIntent>;
  refunds: Map<string, SimRefund>;
  events: SimEvent[];
  /** Marks the intent succeeded (failed) and delivers payment.succeeded (.failed); resolves once delivered or given up. */
  pay(intentId: string, method?: string): Promise<SimEvent>;
  fail(intentId: string): Promise<SimEvent>;
  /** Sends an event again (same id), as a gateway does after a lost acknowledgement. */
  redeliver(eventId: string): Promise<SimEvent>;
  /** Resolves when no delivery is in flight. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** Cents of a decimal amount string; 400 unless positive with at most two decimals. */
const cents = (amount: unknown): bigint => {
  const match = typeof amount === 'string' ? /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(amount) : null;
  const value = match ? BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0')) : 0n;
  if (value <= 0n) throw new HttpError(400, 'amount must be a positive decimal string');
  return value;
};
const parseJson = (raw: string): Record<string, unknown> => {
  try {
    return JSON.parse(raw) as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
};
const JSON_TYPE = { 'content-type': 'application/json' };
const newId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;
const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export async function startPaymentGateway(options: PaymentGatewayOptions): Promise<PaymentGateway> {
  const log = options.log ?? (() => {});
  const intents = new Map<string, SimIntent>();
  const refunds = new Map<string, SimRefund>();
  const events: SimEvent[] = [];
  const replays = new Map<string, { status: number; body: unknown }>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let toLose = options.failWebhooksFirst ?? 0;
  let closed = false;
  let url = '';

  // Backoff waits end early on close(), so close() never waits out a retry schedule.
  const wakers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => (clearTimeout(timer), wakers.delete(wake), resolve());
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  async function deliver(event: SimEvent): Promise<SimEvent> {
    const max = options.maxDeliveries ?? 8;
    for (let attempt = 0; attempt < max && !closed; attempt++) {
      if (attempt > 0) await sleep((options.retryDelayMs ?? 500) * 2 ** (attempt - 1));
      if (closed) break;
      const target = typeof options.webhookUrl === 'function' ? options.webhookUrl() : options.webhookUrl;
      event.deliveries++;
      let status = 0;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            // Signed afresh per delivery: a retry hours later must still be inside the receiver's tolerance.
            'x-gateway-signature': signWebhook(options.webhookSecret, event.body, Math.floor(Date.now() / 1000)),
          },
          body: event.body,
          signal: AbortSignal.timeout(5_000),
        });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        log(`webhook ${event.type} ${event.id} → ${target}: ${(err as Error).message}`);
      }
      const ok = status >= 200 && status < 300;
      const lost = ok && toLose > 0;
      if (lost) toLose--;
      log(`webhook ${event.type} ${event.id} → HTTP ${status || 'no answer'}${lost ? ', treated as lost' : ''}`);
      if (ok && !lost) {
        event.delivered = true;
        break;
      }
    }
    return event;
  }

  function send(type: string, data: Record<string, unknown>): Promise<SimEvent> {
    const id = newId('evt');
    const body = JSON.stringify({ id, type, data, created: Math.floor(Date.now() / 1000) });
    const event: SimEvent = { id, type, body, deliveries: 0, delivered: false };
    events.push(event);
    return track(deliver(event));
  }

  const track = <T>(p: Promise<T>): Promise<T> => (inFlight.add(p), p.finally(() => inFlight.delete(p)));

  function settle(intentId: string, to: 'succeeded' | 'failed', method?: string): Promise<SimEvent> {
    const intent = intents.get(intentId);
    const expired = to === 'succeeded' && intent?.expiresAt && intent.expiresAt.getTime() < Date.now();
    if (!intent || intent.status !== 'pending' || expired) {
      return Promise.reject(new Error(`intent ${intentId} is ${expired ? 'expired' : (intent?.status ?? 'unknown')}`));
    }
    intent.status = to;
    if (method) intent.method = method;
    log(`intent ${intentId} ${to} (${intent.amount} ${intent.currency})`);
    const data = { payment_intent: intentId, amount: intent.amount, currency: intent.currency, method: intent.method ?? 'card' };
    return send(to === 'succeeded' ? 'payment.succeeded' : 'payment.failed', data);
  }

  function createIntent(body: Record<string, unknown>): SimIntent {
    const { amount, currency, description } = body;
    cents(amount);
    if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) throw new HttpError(400, 'currency must be ISO 4217');
    const metadata = (body.metadata ?? {}) as Record<string, unknown>;
    const id = newId('pi');
    const text = (v: unknown) => (typeof v === 'string' ? v : null);
    const intent: SimIntent = {
      id, amount: amount as string, currency, description: text(description) ?? '', method: text(body.method),
      orderId: text(metadata.order_id), returnUrl: text(body.return_url),
      expiresAt: typeof body.expires_at === 'number' ? new Date(body.expires_at * 1000) : null,
      paymentUrl: `${url}/pay/${id}`, status: 'pending', refundedCents: 0n,
    };
    intents.set(id, intent);
    log(`intent ${id} created: ${amount} ${currency} for order ${intent.orderId ?? '-'}`);
    if (options.autoPay !== undefined && options.autoPay !== false) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        settle(id, 'succeeded').catch((err: Error) => log(`auto-pay ${id}: ${err.message}`));
      }, options.autoPay === true ? 0 : options.autoPay);
      timers.add(timer);
    }
    return intent;
  }

  function createRefund(body: Record<string, unknown>): SimRefund {
    const intent = intents.get(String(body.payment_intent));
    if (!intent) throw new HttpError(404, 'no such payment_intent');
    if (intent.status !== 'succeeded') throw new HttpError(400, `payment_intent is ${intent.status}`);
    const amount = body.amount as string;
    if (body.currency !== intent.currency) throw new HttpError(400, 'currency differs from the payment');
    if (intent.refundedCents + cents(amount) > cents(intent.amount)) throw new HttpError(400, 'refund exceeds the payment');
    intent.refundedCents += cents(amount);
    const refund: SimRefund = { id: newId('re'), paymentIntent: intent.id, amount, currency: intent.currency, reason: String(body.reason ?? ''), status: 'succeeded' };
    refunds.set(refund.id, refund);
    log(`refund ${refund.id} of ${amount} ${refund.currency} on ${intent.id} succeeded`);
    // After the answer, like a real gateway; the receiver may still see the webhook first.
    const data = { refund: refund.id, payment_intent: intent.id, amount, currency: refund.currency };
    void track(new Promise((r) => setImmediate(r)).then(() => send('refund.succeeded', data)));
    return refund;
  }

  const intentJson = (i: SimIntent) => ({ id: i.id, amount: i.amount, currency: i.currency, status: i.status, payment_url: i.paymentUrl });
  const refundJson = (r: SimRefund) => ({ id: r.id, payment_intent: r.paymentIntent, amount: r.amount, currency: r.currency, status: r.status });

  async function api(req: http.IncomingMessage, path: string, raw: string): Promise<{ status: number; body: unknown }> {
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) throw new HttpError(401, 'invalid API key');
    const getMatch = /^\/v1\/payment_intents\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && getMatch) {
      const intent = intents.get(getMatch[1]!);
      if (!intent) throw new HttpError(404, 'no such payment_intent');
      return { status: 200, body: intentJson(intent) };
    }
    if (req.method !== 'POST' || (path !== '/v1/payment_intents' && path !== '/v1/refunds')) throw new HttpError(404, 'not found');
    const key = req.headers['idempotency-key'];
    const replayKey = typeof key === 'string' && key ? `${path} ${key}` : undefined;
    const replay = replayKey ? replays.get(replayKey) : undefined;
    if (replay) return replay;
    const body = parseJson(raw);
    const answer = { status: 200, body: path === '/v1/refunds' ? refundJson(createRefund(body)) : intentJson(createIntent(body)) };
    if (replayKey) replays.set(replayKey, answer);
    return answer;
  }

  function page(intent: SimIntent): string {
    const title = `${escapeHtml(intent.amount)} ${escapeHtml(intent.currency)}`;
    const form =
      intent.status === 'pending'
        ? `<form method="post"><button name="action" value="pay">Pay ${title}</button> <button name="action" value="fail">Decline</button></form>`
        : `<p>${intent.status === 'succeeded' ? 'Paid' : 'Payment failed'}.</p>`;
    return `<!doctype html><html><head><meta charset="utf-8"><title>Pay ${title}</title></head><body><h1>${title}</h1><p>${escapeHtml(intent.description)}</p>${form}</body></html>`;
  }

  async function payPage(req: http.IncomingMessage, res: http.ServerResponse, intentId: string, raw: string): Promise<void> {
    const intent = intents.get(intentId);
    if (!intent) throw new HttpError(404, 'no such payment');
    if (req.method === 'POST' && intent.status === 'pending') {
      if (intent.expiresAt && intent.expiresAt.getTime() < Date.now()) throw new HttpError(410, 'this payment has expired');
      // The page answers at once; the webhook goes out (and is retried) in the background.
      settle(intentId, new URLSearchParams(raw).get('action') === 'fail' ? 'failed' : 'succeeded').catch(() => undefined);
      if (intent.returnUrl) {
        const back = new URL(intent.returnUrl);
        back.searchParams.set('payment_intent', intentId);
        back.searchParams.set('status', intent.status);
        return void res.writeHead(303, { location: back.toString() }).end();
      }
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(intent));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://gateway').pathname;
      const payMatch = /^\/pay\/([\w-]+)$/.exec(path);
      const work = payMatch
        ? payPage(req, res, payMatch[1]!, raw)
        : api(req, path, raw).then(({ status, body }) => void res.writeHead(status, JSON_TYPE).end(JSON.stringify(body)));
      work.catch((err: Error) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (!res.headersSent) res.writeHead(status, JSON_TYPE);
        res.end(JSON.stringify({ error: { message: err.message } }));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, family, port } = server.address() as AddressInfo;
  url = `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;

  return {
    url,
    intents,
    refunds,
    events,
    pay: (intentId, method) => settle(intentId, 'succeeded', method),
    fail: (intentId) => settle(intentId, 'failed'),
    redeliver: (eventId) => {
      const event = events.find((e) => e.id === eventId);
      return event ? track(deliver(event)) : Promise.reject(new Error(`unknown event ${eventId}`));
    },
    idle: async () => {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      for (const wake of [...wakers]) wake();
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
