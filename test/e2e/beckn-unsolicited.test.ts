import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBecknBap, type BapCallback, type BecknBap } from '../../simulators/beckn-bap.ts';
import { notifyChanges } from '../../src/beckn/beckn-callbacks.ts';
import { registerSubscriber } from '../../src/beckn/registry.ts';
import { createLogger } from '../../src/logger.ts';
import { dec } from '../../src/money/decimal-money.ts';
import { validateBeckn } from '../fixtures/beckn-schemas.ts';
import { BPP_ID, intentOf, startOrdersWorld, type OrdersWorld } from '../fixtures/orders-client.ts';
import { eventually } from '../fixtures/test-app.ts';

// What the DENT happy path does not show: the callbacks nobody asked for (the charger ends the
// session, the platform cancels a no-show), cancels and their replays, a refused update, and a BAP
// that is down when its callback is first due.

let w: OrdersWorld;
let bap: BecknBap;
let itemId: string;
const MAKATI = '14.554729,121.024445';
const BAP_ID = 'bap.unsolicited.example';
/** Long enough for a second (wrong) copy of a callback to have arrived: several dispatcher ticks. */
const SETTLE_MS = 1500;

beforeAll(async () => {
  w = await startOrdersWorld({ MAINTENANCE_INTERVAL_S: '0.2', BECKN_CALLBACK_RETRY_MS: '100' });
  bap = await startBecknBap({
    bppUri: `${w.t.httpUrl}/beckn`, bppId: BPP_ID, subscriberId: BAP_ID, keyId: 'bap-key-1',
    bppPublicKey: w.t.app.beckn.signingKey.publicKey,
  });
  await registerSubscriber(w.t.db, { subscriberId: BAP_ID, keyId: 'bap-key-1', publicKey: bap.publicKey, type: 'BAP', subscriberUrl: bap.url });
  const search = await call('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '5', unit: 'km' } } } });
  const items = search.message.catalog.providers[0].items as Array<{ id: string }>;
  itemId = items.find((i) => i.id.startsWith('DEMO-CP-002-1'))!.id;
}, 60_000);
afterAll(async () => {
  bap?.setDown(false);
  await bap?.close();
  await w?.close();
});

/** The checks every callback gets: signed by us, schema-valid, in the transaction, from us to this BAP. */
function checkCallback(callback: BapCallback, action: string, transactionId: string) {
  expect(callback.verified, callback.verifyError).toBe(true);
  expect(validateBeckn(action, callback.body)).toEqual([]);
  expect(callback.body.context).toMatchObject({ action, transaction_id: transactionId, bpp_id: BPP_ID, bap_id: BAP_ID });
}

/** Sends, expects ACK, waits for the answer: same transaction and message id as the request. */
async function call(action: string, message: unknown, overrides: Record<string, unknown> = {}) {
  const { ack, callback } = await bap.request(action, message, overrides, 10_000);
  expect(ack.status, JSON.stringify(ack.body)).toBe(200);
  expect(ack.body).toEqual({ message: { ack: { status: 'ACK' } } });
  checkCallback(callback, `on_${action}`, ack.transactionId);
  expect(callback.body.context.message_id).toBe(ack.messageId);
  return callback.body;
}

/** The message ids the BAP used in a transaction (an unsolicited callback must carry none of them). */
const sentIds = new Map<string, Set<string>>();
async function callTracked(action: string, message: unknown, overrides: Record<string, unknown> = {}) {
  const body = await call(action, message, overrides);
  remember(body.context.transaction_id, body.context.message_id);
  return body;
}
function remember(transactionId: string, messageId: string) {
  const ids = sentIds.get(transactionId) ?? new Set<string>();
  ids.add(messageId);
  sentIds.set(transactionId, ids);
}

/** Waits for an unsolicited callback of the transaction: checked, with a message id of its own. */
async function unsolicited(action: string, transactionId: string, predicate: (c: BapCallback) => boolean) {
  const callback = await bap.waitFor(action, (c) => c.body?.context?.transaction_id === transactionId && predicate(c), 10_000);
  checkCallback(callback, action, transactionId);
  expect(sentIds.get(transactionId)?.has(callback.body.context.message_id)).toBe(false);
  return callback;
}

const ofTransaction = (action: string, transactionId: string, predicate: (c: BapCallback) => boolean = () => true) =>
  bap.callbacks.filter((c) => c.action === action && c.body?.context?.transaction_id === transactionId && predicate(c));
const stateOf = (c: BapCallback): string => c.body.message.order.fulfillments[0].state.descriptor.code;
const orderRow = (id: string) => w.t.db.selectFrom('chargingOrder').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));
const startCharging = (orderId: string) =>
  ({ update_target: 'order.fulfillments[0].state', order: { id: orderId, fulfillments: [{ state: { descriptor: { code: 'start-charging' } } }] } });

/** select → init in a new transaction: an order with a payment link, not paid. */
async function initiatedOrder(): Promise<{ orderId: string; transactionId: string }> {
  const transactionId = bap.newTransaction();
  const select = await callTracked('select', { order: { provider: { id: 'PH*DCC' }, items: [{ id: itemId, quantity: { selected: { measure: { value: '10', unit: 'kWh' } } } }] } });
  const orderId = select.message.order.id as string;
  expect(select.message.order.quote.price).toEqual({ value: '241.92', currency: 'PHP' });
  await callTracked('init', { order: { id: orderId, items: [{ id: itemId }], billing: { name: 'Juan Dela Cruz', email: 'juan@example.com', phone: '+63-9171234567' } } });
  return { orderId, transactionId };
}

/** … → pay at the gateway → confirm: on_confirm PAID. */
async function confirmedOrder(): Promise<{ orderId: string; transactionId: string }> {
  const order = await initiatedOrder();
  await w.gateway.pay(intentOf(w.gateway, order.orderId).id, 'UPI');
  await eventually(async () => (await orderRow(order.orderId)).paymentStatus === 'paid');
  const confirm = await callTracked('confirm', { order: { id: order.orderId } });
  expect(confirm.message.order.payments[0].status).toBe('PAID');
  return order;
}

describe('unsolicited callbacks', () => {
  it('the charger ends the session by itself: one on_update charging-ended with the final bill', async () => {
    const { orderId, transactionId } = await confirmedOrder();
    await callTracked('update', startCharging(orderId));
    await eventually(async () => (await orderRow(orderId)).chargingStatus === 'active', 10_000);
    await new Promise((r) => setTimeout(r, 1500)); // some metered energy
    await w.cp.stopCharging(1, 'EVDisconnected');

    const ended = await unsolicited('on_update', transactionId, (c) => stateOf(c) === 'charging-ended');
    const row = await eventually(async () => {
      const r = await orderRow(orderId);
      return r.finalAmount !== null ? r : undefined;
    });
    expect(row.status).toBe('completed');
    const price = ended.body.message.order.quote.price;
    expect(price.currency).toBe('PHP');
    expect(dec(price.value).eq(row.finalAmount!), `${price.value} vs ${row.finalAmount}`).toBe(true);
    expect(ended.body.message.order.status).toBe('COMPLETED');

    await settle();
    expect(ofTransaction('on_update', transactionId, (c) => stateOf(c) === 'charging-ended')).toHaveLength(1);
  }, 40_000);

  it('the platform cancels a paid order nobody charged on: one on_cancel by the provider, fee and refund', async () => {
    const { orderId, transactionId } = await confirmedOrder();
    // Its window has passed: the maintenance loop cancels it as a no-show.
    await w.t.db.updateTable('chargingOrder').set({ validFrom: new Date(Date.now() - 3_600_000), validUntil: new Date(Date.now() - 1000) }).where('id', '=', orderId).execute();

    const cancelled = await unsolicited('on_cancel', transactionId, () => true);
    const order = cancelled.body.message.order;
    expect(order.id).toBe(orderId);
    expect(order.status).toBe('CANCELLED');
    expect(order.cancellation.cancelled_by).toBe('PROVIDER');
    expect(order.fulfillments[0].state.descriptor.code).toBe('cancelled');
    const row = await orderRow(orderId);
    expect(row.cancelCode).toBe('NO_SHOW');
    expect([row.cancellationFee, row.refundDue]).toEqual(['72.58', '169.34']);
    expect(order.quote.breakup).toEqual(expect.arrayContaining([expect.objectContaining({ price: { value: '72.58', currency: 'PHP' } })]));
    expect(order.quote.price).toEqual({ value: '-169.34', currency: 'PHP' });
    expect(order.refund_terms).toEqual([{ refund_eligible: true, refund_amount: { value: '169.34', currency: 'PHP' } }]);

    await settle();
    expect(ofTransaction('on_cancel', transactionId)).toHaveLength(1);
    const refunds = await w.t.db.selectFrom('refund').selectAll().where('orderId', '=', orderId).execute();
    expect(refunds.map((r) => [r.reason, r.amount])).toEqual([['cancellation', '169.34']]);
  }, 40_000);
});

describe('several nodes noticing the same change', () => {
  it('tell it once', async () => {
    const { orderId, transactionId } = await confirmedOrder();
    await callTracked('cancel', { order_id: orderId, cancellation_reason_id: '0' });
    // As if the BAP had been told the order was active, and every node's notifier saw it cancelled at once.
    const nodes = [1, 2, 3].map(() => ({
      db: w.t.db,
      orders: { gateway: w.t.app.gateway, payments: undefined, orders: w.t.config.orders, support: w.t.config.support, now: () => new Date() },
      log: createLogger('silent'),
      bppId: BPP_ID,
      bppUri: `${w.t.httpUrl}/beckn`,
    }));
    await w.t.db.updateTable('becknOrder').set({ open: true, notifiedStatus: 'active' }).where('orderId', '=', orderId).execute();
    const enqueued = await Promise.all(nodes.map((deps) => notifyChanges(deps)));
    expect(enqueued.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);

    const told = await unsolicited('on_cancel', transactionId, (c) => !sentIds.get(transactionId)!.has(c.body.context.message_id));
    expect(told.body.message.order.status).toBe('CANCELLED');
    await settle();
    expect(ofTransaction('on_cancel', transactionId)).toHaveLength(2);
  }, 40_000);
});

describe('cancel by the BAP', () => {
  it('before charging: the fee kept, the rest refunded once, however often it is asked', async () => {
    const { orderId, transactionId } = await confirmedOrder();
    const cancelMessage = { order_id: orderId, cancellation_reason_id: '0', descriptor: { short_desc: 'Plans changed' } };
    const { ack, callback } = await bap.request('cancel', cancelMessage, {}, 10_000);
    expect(ack.body).toEqual({ message: { ack: { status: 'ACK' } } });
    checkCallback(callback, 'on_cancel', transactionId);
    expect(callback.body.context.message_id).toBe(ack.messageId);

    const expectTerms = (order: any) => {
      expect(order.status).toBe('CANCELLED');
      expect(order.cancellation.cancelled_by).toBe('CONSUMER');
      expect(order.quote.price).toEqual({ value: '-169.34', currency: 'PHP' });
      expect(order.quote.breakup).toEqual([
        expect.objectContaining({ title: 'Amount paid, credited back', price: { value: '-241.92', currency: 'PHP' } }),
        expect.objectContaining({ title: 'Cancellation charges (30%)', price: { value: '72.58', currency: 'PHP' } }),
      ]);
      expect(order.refund_terms).toEqual([{ refund_eligible: true, refund_amount: { value: '169.34', currency: 'PHP' } }]);
    };
    expectTerms(callback.body.message.order);

    // The same message again: a replay, refused, nothing more sent.
    const replay = await bap.send('cancel', cancelMessage, { message_id: ack.messageId });
    expect(replay.status).toBe(409);
    expect(replay.body.message.ack.status).toBe('NACK');

    // A new cancel of the cancelled order: the same terms, and no second refund.
    const again = await call('cancel', cancelMessage);
    expectTerms(again.message.order);

    await settle();
    expect(ofTransaction('on_cancel', transactionId, (c) => c.body.context.message_id === ack.messageId)).toHaveLength(1);
    expect(ofTransaction('on_cancel', transactionId)).toHaveLength(2);
    const refunds = await w.t.db.selectFrom('refund').selectAll().where('orderId', '=', orderId).execute();
    expect(refunds.map((r) => [r.reason, r.amount])).toEqual([['cancellation', '169.34']]);
  }, 40_000);
});

describe('a refused action', () => {
  it('start-charging on an unpaid order: ACK, then on_update with an error and the order as it is', async () => {
    const { orderId, transactionId } = await initiatedOrder();
    const body = await callTracked('update', startCharging(orderId));
    expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    expect(body.message.order.id).toBe(orderId);
    expect(body.message.order.payments[0].status).toBe('NOT-PAID');
    expect(stateOf({ body } as BapCallback)).not.toMatch(/charging/);
    expect((await orderRow(orderId)).chargingStatus).toBe('idle');
    await settle();
    expect(ofTransaction('on_update', transactionId)).toHaveLength(1);
  }, 30_000);

  it('the error names the order the update named, even from another transaction', async () => {
    const { orderId } = await initiatedOrder();
    bap.newTransaction();
    const body = await call('update', startCharging(orderId));
    expect(body.error).toMatchObject({ code: expect.any(String) });
    expect(body.message.order.id).toBe(orderId);
    expect(body.message.order.payments[0].status).toBe('NOT-PAID');
  }, 30_000);
});

describe('a BAP that is down', () => {
  it('gets its callback once it is back, after retries', async () => {
    bap.setDown(true);
    const from = bap.deliveries.length;
    let ack;
    try {
      ack = await bap.send('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '5', unit: 'km' } } } });
      expect(ack.status).toBe(200);
      await eventually(async () => bap.deliveries.slice(from).filter((d) => d.action === 'on_search' && d.status === 503).length >= 2, 8000);
    } finally {
      bap.setDown(false);
    }
    const callback = await bap.waitFor('on_search', (c) => c.body?.context?.message_id === ack.messageId, 10_000);
    checkCallback(callback, 'on_search', ack.transactionId);
    const row = await eventually(async () => {
      const rows = await w.t.db.selectFrom('becknCallback').selectAll().where('messageId', '=', ack.messageId).execute();
      return rows.length === 1 && rows[0]!.status === 'delivered' ? rows[0] : undefined;
    });
    expect(row.attempts).toBeGreaterThan(1);
    expect(row.lastStatus).toBe(200);
    await settle();
    expect(bap.callbacks.filter((c) => c.body?.context?.message_id === ack.messageId)).toHaveLength(1);
  }, 30_000);
});
