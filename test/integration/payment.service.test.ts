import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { AppError, isAppError } from '../../src/errors.ts';
import { createGatewayProvider } from '../../src/payments/gateway-provider.ts';
import type { PaymentProvider, WebhookEvent } from '../../src/payments/payment-provider.ts';
import * as paymentService from '../../src/payments/payment.service.ts';
import { startPaymentGateway, type PaymentGateway } from '../../simulators/payment-gateway.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const apiKey = 'test-gateway-key';
const webhookSecret = 'test-webhook-secret-0123456789';

let handle: DatabaseHandle;
let gateway: PaymentGateway;
let provider: PaymentProvider;
let receiver: http.Server;
let receiverUrl = '';
let site: { cpoOwnerId: number; locationId: number; evseId: number; connectorId: number };
/** What the webhook endpoint did with each delivery, in order. */
const deliveries: Array<{ eventId: string; status: number; changed?: boolean; previousStatus?: string }> = [];

// The lead's POST /v1/payments/webhook in miniature: verify over the raw body, apply in a transaction.
async function handleWebhook(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  let event: WebhookEvent | undefined;
  try {
    event = provider.parseWebhook(req.headers, raw);
    const ev = event;
    const result = await handle.db.transaction().execute((tx) => paymentService.applyWebhookEvent(tx, provider.name, ev, raw));
    deliveries.push({ eventId: ev.eventId, status: 200, changed: result.changed, previousStatus: result.previousStatus });
    res.writeHead(200).end('{}');
  } catch (err) {
    const status = isAppError(err) ? ({ UNAUTHENTICATED: 401, VALIDATION_FAILED: 400, NOT_FOUND: 404, CONFLICT: 409 } as Record<string, number>)[err.code] ?? 500 : 500;
    deliveries.push({ eventId: event?.eventId ?? '?', status });
    res.writeHead(status).end();
  }
}

let orderSeq = 0;
async function newOrder(amount = '128.64'): Promise<string> {
  const id = `ord_pay_${++orderSeq}_${Date.now().toString(36)}`;
  await handle.db
    .insertInto('chargingOrder')
    .values({
      ...{ id, status: 'quoted', mode: 'instant', ...site, chargePointId: 'CP-PAY', ocppConnectorId: 1, connectorType: 'IEC_62196_T2' },
      ...{ tariff: '{"currency":"INR"}', energyKwh: '10.000', durationMinutes: 60, currency: 'INR', quotedAmount: amount, quote: '[]' },
      ...{ validFrom: new Date(), validUntil: new Date(Date.now() + 3_600_000) },
    })
    .execute();
  return id;
}

const intentFor = (orderId: string, amount = '128.64') =>
  ({ orderId, amount, currency: 'INR', method: 'UPI', description: `Charging order ${orderId}`, expiresAt: new Date(Date.now() + 900_000) });

const paymentsOf = (orderId: string) => handle.db.selectFrom('payment').selectAll().where('orderId', '=', orderId).orderBy('id').execute();
const gatewayIntentsOf = (orderId: string) => [...gateway.intents.values()].filter((i) => i.orderId === orderId);

beforeAll(async () => {
  handle = await createTestDatabase();
  const owner = await handle.db.insertInto('cpoOwner').values({ name: 'Pay CPO', countryCode: 'IN', partyId: 'PAY' }).returning('id').executeTakeFirstOrThrow();
  const location = await handle.db
    .insertInto('location')
    .values({ cpoOwnerId: owner.id, name: 'Pay site', address: '1 Main St', addressLat: '12.971600', addressLng: '77.594600', countryCode: 'IN' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const evse = await handle.db.insertInto('evse').values({ uid: 'CP-PAY', locationId: location.id }).returning('id').executeTakeFirstOrThrow();
  const connectorValues = { connectorId: 1, standard: 'IEC_62196_T2', format: 'SOCKET', powerType: 'AC_3_PHASE', maxVoltage: 400, maxAmperage: 32, maxElectricPower: 22000 };
  const connector = await handle.db.insertInto('connector').values({ evseId: evse.id, ...connectorValues }).returning('id').executeTakeFirstOrThrow();
  site = { cpoOwnerId: owner.id, locationId: location.id, evseId: evse.id, connectorId: connector.id };

  receiver = http.createServer((req, res) => void handleWebhook(req, res));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/payments/webhook`;
  // The first delivery is acknowledged but "lost", so the first payment's webhook arrives twice.
  gateway = await startPaymentGateway({ apiKey, webhookSecret, webhookUrl: () => receiverUrl, failWebhooksFirst: 1, retryDelayMs: 20 });
  provider = createGatewayProvider({ baseUrl: gateway.url, apiKey, webhookSecret });
});

afterAll(async () => {
  await gateway?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await handle?.close();
});

describe('openIntent', () => {
  it('is idempotent: a second call returns the same payment, one intent at the gateway, one row', async () => {
    const orderId = await newOrder('10.50');
    const first = await paymentService.openIntent(handle.db, provider, intentFor(orderId, '10.5'));
    const again = await paymentService.openIntent(handle.db, provider, intentFor(orderId, '10.50'));
    expect(again.id).toBe(first.id);
    expect(first).toMatchObject({ status: 'pending', amount: '10.50', currency: 'INR', method: 'UPI', provider: 'gateway' });
    expect(first.paymentUrl).toBe(`${gateway.url}/pay/${first.intentId}`);
    expect(await paymentsOf(orderId)).toHaveLength(1);
    expect(gatewayIntentsOf(orderId)).toHaveLength(1);
  });

  it('makes one payment of two concurrent calls', async () => {
    const orderId = await newOrder();
    const [a, b] = await Promise.all([1, 2].map(() => paymentService.openIntent(handle.db, provider, intentFor(orderId))));
    expect(a!.id).toBe(b!.id);
    expect(await paymentsOf(orderId)).toHaveLength(1);
    expect(gatewayIntentsOf(orderId)).toHaveLength(1);
  });

  it('refuses another amount or currency for an order with a live payment, and malformed amounts', async () => {
    const orderId = await newOrder();
    await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    await expect(paymentService.openIntent(handle.db, provider, intentFor(orderId, '99.00'))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(paymentService.openIntent(handle.db, provider, { ...intentFor(orderId), currency: 'PHP' })).rejects.toMatchObject({ code: 'CONFLICT' });
    for (const amount of ['1.234', '0', '-5', '1e3', '12.']) {
      await expect(paymentService.openIntent(handle.db, provider, intentFor(await newOrder(), amount))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('answers UNAVAILABLE when the gateway refuses the API key', async () => {
    const wrongKey = createGatewayProvider({ baseUrl: gateway.url, apiKey: 'wrong-key', webhookSecret });
    await expect(paymentService.openIntent(handle.db, wrongKey, intentFor(await newOrder()))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('webhooks', () => {
  let paidOrder: string;

  it('applies a payment once: a redelivered event changes nothing', async () => {
    paidOrder = await newOrder();
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(paidOrder));
    const event = await gateway.pay(payment.intentId, 'UPI');
    expect(event).toMatchObject({ delivered: true, deliveries: 2 });
    expect(deliveries.filter((d) => d.eventId === event.id)).toEqual([
      { eventId: event.id, status: 200, changed: true, previousStatus: 'pending' },
      { eventId: event.id, status: 200, changed: false, previousStatus: 'paid' },
    ]);
    const live = await paymentService.findLiveForOrder(handle.db, paidOrder);
    expect(live).toMatchObject({ id: payment.id, status: 'paid', method: 'UPI' });
    expect(live!.paidAt).toBeInstanceOf(Date);
    const events = await handle.db.selectFrom('paymentEvent').selectAll().where('eventId', '=', event.id).execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ provider: 'gateway', paymentId: payment.id, type: 'payment.succeeded', payload: { id: event.id } });
  });

  it('ignores a replayed event applied directly, too', async () => {
    const payment = (await paymentService.findLiveForOrder(handle.db, paidOrder))!;
    const event: WebhookEvent = { eventId: 'evt_direct_1', type: 'payment.succeeded', intentId: payment.intentId, amount: '128.64', currency: 'INR', occurredAt: new Date() };
    const first = await paymentService.applyWebhookEvent(handle.db, 'gateway', event, { id: 'evt_direct_1' });
    const second = await paymentService.applyWebhookEvent(handle.db, 'gateway', event, { id: 'evt_direct_1' });
    expect(first).toMatchObject({ changed: false, previousStatus: 'paid' }); // already paid by the other event
    expect(second).toMatchObject({ changed: false, previousStatus: 'paid' });
  });

  it('records and rejects a success for another amount, leaving the payment pending', async () => {
    const orderId = await newOrder();
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    const event: WebhookEvent = { eventId: 'evt_mismatch', type: 'payment.succeeded', intentId: payment.intentId, amount: '1.00', currency: 'INR', occurredAt: new Date() };
    const err = await paymentService.applyWebhookEvent(handle.db, 'gateway', event, '{"id":"evt_mismatch"}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: { amount: '1.00', expectedAmount: '128.64' } });
    const recorded = await handle.db.selectFrom('paymentEvent').selectAll().where('eventId', '=', 'evt_mismatch').executeTakeFirst();
    expect(recorded).toMatchObject({ paymentId: payment.id, payload: { id: 'evt_mismatch' } });
    await expect(paymentService.applyWebhookEvent(handle.db, 'gateway', { ...event, currency: 'PHP', eventId: 'evt_mismatch_2', amount: '128.64' }, {})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await paymentService.findLiveForOrder(handle.db, orderId))?.status).toBe('pending');
  });

  it('refuses an unknown intent without recording it, so the gateway retries', async () => {
    const event: WebhookEvent = { eventId: 'evt_unknown', type: 'payment.succeeded', intentId: 'pi_nope', amount: '1.00', currency: 'INR', occurredAt: new Date() };
    await expect(paymentService.applyWebhookEvent(handle.db, 'gateway', event, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await handle.db.selectFrom('paymentEvent').selectAll().where('eventId', '=', 'evt_unknown').execute()).toHaveLength(0);
  });

  it('marks a failed payment failed, and a new try opens a new intent', async () => {
    const orderId = await newOrder();
    const first = await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    const event = await gateway.fail(first.intentId);
    expect(deliveries.filter((d) => d.eventId === event.id)).toEqual([{ eventId: event.id, status: 200, changed: true, previousStatus: 'pending' }]);
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toBeUndefined();
    const second = await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    expect(second.intentId).not.toBe(first.intentId);
    expect((await paymentsOf(orderId)).map((p) => p.status)).toEqual(['failed', 'pending']);
  });

  it('pays through the hosted payment page', async () => {
    const orderId = await newOrder('10.00');
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(orderId, '10.00'));
    const pageRes = await fetch(payment.paymentUrl!);
    expect(await pageRes.text()).toContain('Pay 10.00 INR');
    const paid = await fetch(payment.paymentUrl!, { method: 'POST', body: new URLSearchParams({ action: 'pay' }) });
    expect(await paid.text()).toContain('Paid');
    await gateway.idle();
    expect((await paymentService.findLiveForOrder(handle.db, orderId))?.status).toBe('paid');
  });
});

describe('refunds', () => {
  async function paidOrder(amount = '128.64'): Promise<string> {
    const orderId = await newOrder(amount);
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(orderId, amount));
    await gateway.pay(payment.intentId);
    return orderId;
  }

  it('refunds once per reason, sums refunded_amount exactly and follows the status', async () => {
    const orderId = await paidOrder();
    const refund = await paymentService.refund(handle.db, provider, { orderId, amount: '50.10', reason: 'cancellation' });
    expect(refund).toMatchObject({ amount: '50.10', reason: 'cancellation', status: 'succeeded' });
    expect(refund!.providerRefundId).toMatch(/^re_/);
    const retry = await paymentService.refund(handle.db, provider, { orderId, amount: '50.10', reason: 'cancellation' });
    expect(retry).toMatchObject({ id: refund!.id, providerRefundId: refund!.providerRefundId });
    expect([...gateway.refunds.values()].filter((r) => r.id === refund!.providerRefundId)).toHaveLength(1);
    expect(gateway.refunds.size).toBe(1);
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toMatchObject({ status: 'partially_refunded', refundedAmount: '50.10' });

    const rest = await paymentService.refund(handle.db, provider, { orderId, amount: '78.54', reason: 'settlement' });
    expect(rest).toMatchObject({ status: 'succeeded', amount: '78.54' });
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toMatchObject({ status: 'refunded', refundedAmount: '128.64' });
    await expect(paymentService.refund(handle.db, provider, { orderId, amount: '0.01', reason: 'late_payment' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await paymentService.listRefunds(handle.db, orderId)).map((r) => r.reason)).toEqual(['cancellation', 'settlement']);

    // The gateway's refund.succeeded webhooks confirm what the synchronous answers already recorded.
    await gateway.idle();
    const refundEvents = gateway.events.filter((e) => e.type === 'refund.succeeded');
    expect(refundEvents).toHaveLength(2);
    expect(refundEvents.every((e) => e.delivered)).toBe(true);
    const recorded = await handle.db.selectFrom('paymentEvent').select('eventId').where('type', '=', 'refund.succeeded').execute();
    expect(recorded.map((r) => r.eventId).sort()).toEqual(refundEvents.map((e) => e.id).sort());
  });

  it('makes one refund of two concurrent calls', async () => {
    const orderId = await paidOrder('20.00');
    const before = gateway.refunds.size;
    const [a, b] = await Promise.all([1, 2].map(() => paymentService.refund(handle.db, provider, { orderId, amount: '5.00', reason: 'settlement' })));
    expect(a!.id).toBe(b!.id);
    expect(gateway.refunds.size).toBe(before + 1);
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toMatchObject({ refundedAmount: '5.00', status: 'partially_refunded' });
  });

  it('has nothing to refund without a paid payment', async () => {
    const orderId = await newOrder();
    expect(await paymentService.refund(handle.db, provider, { orderId, amount: '1.00', reason: 'cancellation' })).toBeUndefined();
    await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    expect(await paymentService.refund(handle.db, provider, { orderId, amount: '1.00', reason: 'cancellation' })).toBeUndefined();
    expect(await paymentService.listRefunds(handle.db, orderId)).toEqual([]);
  });

  it('applies refund events to the refund row, once', async () => {
    const orderId = await paidOrder('30.00');
    const refund = (await paymentService.refund(handle.db, provider, { orderId, amount: '30.00', reason: 'cancellation' }))!;
    // Pretend the gateway had only said pending: put the row back and let a (re)delivered event settle it.
    await gateway.idle();
    await handle.db.updateTable('refund').set({ status: 'pending' }).where('id', '=', refund.id).execute();
    const event: WebhookEvent = { eventId: 'evt_refund_direct', type: 'refund.succeeded', refundId: refund.providerRefundId!, amount: '30.00', currency: 'INR', occurredAt: new Date() };
    const first = await paymentService.applyWebhookEvent(handle.db, 'gateway', event, {});
    expect(first).toMatchObject({ changed: true, refund: { id: refund.id, status: 'succeeded' } });
    expect((await paymentService.applyWebhookEvent(handle.db, 'gateway', event, {})).changed).toBe(false);
    const unknown = { ...event, eventId: 'evt_refund_unknown', refundId: 're_nope' };
    await expect(paymentService.applyWebhookEvent(handle.db, 'gateway', unknown, {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('releases the refunded amount when the gateway reports a refund failed', async () => {
    const orderId = await paidOrder('40.00');
    const refund = (await paymentService.refund(handle.db, provider, { orderId, amount: '15.00', reason: 'cancellation' }))!;
    await gateway.idle();
    await handle.db.updateTable('refund').set({ status: 'pending' }).where('id', '=', refund.id).execute();
    const event: WebhookEvent = { eventId: 'evt_refund_failed', type: 'refund.failed', refundId: refund.providerRefundId!, amount: '15.00', currency: 'INR', occurredAt: new Date() };
    const applied = await paymentService.applyWebhookEvent(handle.db, 'gateway', event, {});
    expect(applied).toMatchObject({ changed: true, refund: { status: 'failed' }, payment: { status: 'paid', refundedAmount: '0.00' } });
  });
});

describe('cancelPending', () => {
  it('cancels the pending intent; a later success is a late payment that can be refunded', async () => {
    const orderId = await newOrder('64.32');
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(orderId, '64.32'));
    await handle.db.transaction().execute((tx) => paymentService.cancelPending(tx, orderId));
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toBeUndefined();
    expect((await paymentsOf(orderId))[0]).toMatchObject({ id: payment.id, status: 'cancelled' });

    const event = await gateway.pay(payment.intentId);
    expect(deliveries.filter((d) => d.eventId === event.id)).toEqual([{ eventId: event.id, status: 200, changed: true, previousStatus: 'cancelled' }]);
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toMatchObject({ id: payment.id, status: 'paid' });
    const refund = await paymentService.refund(handle.db, provider, { orderId, amount: '64.32', reason: 'late_payment' });
    expect(refund).toMatchObject({ status: 'succeeded', reason: 'late_payment' });
    expect(await paymentService.findLiveForOrder(handle.db, orderId)).toMatchObject({ status: 'refunded', refundedAmount: '64.32' });
  });

  it('leaves paid payments alone', async () => {
    const orderId = await newOrder();
    const payment = await paymentService.openIntent(handle.db, provider, intentFor(orderId));
    await gateway.pay(payment.intentId);
    await paymentService.cancelPending(handle.db, orderId);
    expect((await paymentService.findLiveForOrder(handle.db, orderId))?.status).toBe('paid');
  });
});
