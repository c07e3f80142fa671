import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { createGatewayProvider, signWebhook } from '../../src/payments/gateway-provider.ts';

const secret = 'whsec-test-0123456789abcdef';
const now = new Date('2026-12-01T10:00:00.000Z');
const t = Math.floor(now.getTime() / 1000);
const provider = createGatewayProvider({ baseUrl: 'http://gateway.invalid', apiKey: 'key-123456', webhookSecret: secret, now: () => now });

const body = JSON.stringify({
  id: 'evt_1',
  type: 'payment.succeeded',
  data: { payment_intent: 'pi_1', amount: '128.64', currency: 'INR', method: 'UPI' },
  created: t - 2,
});

function rejects(fn: () => unknown, code: AppError['code']): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
}

describe('webhook signature', () => {
  it('signs as t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhook(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('accepts a signed body, as a string or as raw bytes, under any header case', () => {
    const header = signWebhook(secret, body, t);
    expect(provider.parseWebhook({ 'x-gateway-signature': header }, body)).toEqual({
      eventId: 'evt_1',
      type: 'payment.succeeded',
      intentId: 'pi_1',
      amount: '128.64',
      currency: 'INR',
      method: 'UPI',
      occurredAt: new Date((t - 2) * 1000),
    });
    expect(provider.parseWebhook({ 'X-Gateway-Signature': [header] }, Buffer.from(body)).eventId).toBe('evt_1');
  });

  it('signs the raw bytes: non-ASCII bodies verify byte for byte', () => {
    const unicode = body.replace('"UPI"', '"Wallet ₹ é"');
    const event = provider.parseWebhook({ 'x-gateway-signature': signWebhook(secret, unicode, t) }, Buffer.from(unicode, 'utf8'));
    expect(event.method).toBe('Wallet ₹ é');
  });

  it('rejects a wrong secret', () => {
    rejects(() => provider.parseWebhook({ 'x-gateway-signature': signWebhook('another-secret-000000', body, t) }, body), 'UNAUTHENTICATED');
  });

  it('rejects a tampered body', () => {
    const header = signWebhook(secret, body, t);
    rejects(() => provider.parseWebhook({ 'x-gateway-signature': header }, body.replace('128.64', '1.00')), 'UNAUTHENTICATED');
    rejects(() => provider.parseWebhook({ 'x-gateway-signature': header }, `${body} `), 'UNAUTHENTICATED');
  });

  it('rejects a timestamp moved after signing', () => {
    const header = signWebhook(secret, body, t).replace(`t=${t}`, `t=${t - 1}`);
    rejects(() => provider.parseWebhook({ 'x-gateway-signature': header }, body), 'UNAUTHENTICATED');
  });

  it('rejects stale and future timestamps beyond the tolerance, accepts them within it', () => {
    const at = (offsetS: number) => provider.parseWebhook({ 'x-gateway-signature': signWebhook(secret, body, t + offsetS) }, body);
    expect(at(-300).eventId).toBe('evt_1');
    expect(at(300).eventId).toBe('evt_1');
    rejects(() => at(-301), 'UNAUTHENTICATED');
    rejects(() => at(301), 'UNAUTHENTICATED');
    rejects(() => at(-86_400), 'UNAUTHENTICATED');
    const strict = createGatewayProvider({ baseUrl: 'http://x.invalid', apiKey: 'k', webhookSecret: secret, now: () => now, toleranceS: 10 });
    rejects(() => strict.parseWebhook({ 'x-gateway-signature': signWebhook(secret, body, t - 11) }, body), 'UNAUTHENTICATED');
  });

  it('rejects a missing or malformed header', () => {
    const v1 = signWebhook(secret, body, t).split(',v1=')[1]!;
    const bad = [
      undefined,
      '',
      'garbage',
      `v1=${v1}`,
      `t=${t}`,
      `t=abc,v1=${v1}`,
      `t=${t},v1=${v1.slice(0, 10)}`,
      `t=${t},v1=${'z'.repeat(64)}`,
      `t=${t},t=${t},v1=${v1}`,
      `t=${t};v1=${v1}`,
    ];
    for (const header of bad) rejects(() => provider.parseWebhook({ 'x-gateway-signature': header }, body), 'UNAUTHENTICATED');
    rejects(() => provider.parseWebhook({}, body), 'UNAUTHENTICATED');
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const old = signWebhook('old-secret-0000000000', body, t).split(',v1=')[1]!;
    const current = signWebhook(secret, body, t).split(',v1=')[1]!;
    expect(provider.parseWebhook({ 'x-gateway-signature': `t=${t},v1=${old},v1=${current}` }, body).eventId).toBe('evt_1');
  });

  it('refuses a well-signed body that is not a gateway event', () => {
    for (const text of ['not json', '{"id":"evt_2","type":"payment.refunded"}', JSON.stringify({ ...JSON.parse(body), data: { amount: '1.0e2', currency: 'INR', payment_intent: 'pi' } })]) {
      rejects(() => provider.parseWebhook({ 'x-gateway-signature': signWebhook(secret, text, t) }, text), 'VALIDATION_FAILED');
    }
    const noIntent = JSON.stringify({ id: 'evt_3', type: 'payment.failed', data: { amount: '1.00', currency: 'INR' }, created: t });
    rejects(() => provider.parseWebhook({ 'x-gateway-signature': signWebhook(secret, noIntent, t) }, noIntent), 'VALIDATION_FAILED');
  });
});

describe('gateway client', () => {
  const intentReq = { orderId: 'ord_1', amount: '10.50', currency: 'INR', description: 'charging', expiresAt: now };
  const withFetch = (fetch: typeof globalThis.fetch) =>
    createGatewayProvider({ baseUrl: 'http://gateway.test/', apiKey: 'key-123456', webhookSecret: secret, fetch });

  it('posts the intent with bearer key, idempotency key and decimal-string amount', async () => {
    const calls: Array<{ url: string; init: RequestInit }> = [];
    const gateway = withFetch(async (url, init) => {
      calls.push({ url: String(url), init: init! });
      return Response.json({ id: 'pi_9', payment_url: 'http://gateway.test/pay/pi_9', status: 'pending' });
    });
    expect(await gateway.createIntent({ ...intentReq, attempt: 2 })).toEqual({ intentId: 'pi_9', paymentUrl: 'http://gateway.test/pay/pi_9', status: 'pending' });
    expect(calls[0]!.url).toBe('http://gateway.test/v1/payment_intents');
    const headers = calls[0]!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer key-123456');
    expect(headers['idempotency-key']).toBe('intent:ord_1:10.50:INR:2');
    expect(JSON.parse(calls[0]!.init.body as string)).toMatchObject({ amount: '10.50', currency: 'INR', metadata: { order_id: 'ord_1' } });
  });

  it('maps network errors, 5xx and 429 to UNAVAILABLE, 400/422 to VALIDATION_FAILED', async () => {
    const answer = (status: number) => withFetch(async () => Response.json({ error: { message: 'nope' } }, { status }));
    await expect(withFetch(async () => Promise.reject(new TypeError('fetch failed'))).createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(answer(502).createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(answer(429).createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(answer(401).createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(answer(400).createIntent(intentReq)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { gatewayError: 'nope' } });
    await expect(answer(422).refund({ intentId: 'pi', amount: '1.00', currency: 'INR', reason: 'x', idempotencyKey: 'k' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(withFetch(async () => new Response('<html>', { status: 200 })).createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('gives up on a gateway that does not answer in time', async () => {
    const slow = createGatewayProvider({
      baseUrl: 'http://gateway.test',
      apiKey: 'key-123456',
      webhookSecret: secret,
      timeoutMs: 50,
      fetch: (_url, init) => new Promise((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason))),
    });
    await expect(slow.createIntent(intentReq)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
