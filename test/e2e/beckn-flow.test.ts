import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBecknBap, type BecknBap } from '../../simulators/beckn-bap.ts';
import { registerSubscriber } from '../../src/beckn/registry.ts';
import { validateBeckn } from '../fixtures/beckn-schemas.ts';
import { sharedPath } from '../fixtures/shared-files.ts';
import { BPP_ID, intentOf, startOrdersWorld, type OrdersWorld } from '../fixtures/orders-client.ts';
import { eventually } from '../fixtures/test-app.ts';

// The DENT flow over Beckn core 1.1.0 (shared/spec/dent-ev-charging-workflow.md): a signed BAP
// simulator against the whole app, the gateway simulator and the demo DC charger over a websocket.

let w: OrdersWorld;
let bap: BecknBap;
const MAKATI = '14.554729,121.024445';

beforeAll(async () => {
  w = await startOrdersWorld({ MAINTENANCE_INTERVAL_S: '0.2', BECKN_CALLBACK_RETRY_MS: '100' });
  bap = await startBecknBap({
    bppUri: `${w.t.httpUrl}/beckn`, bppId: BPP_ID, subscriberId: 'bap.test.example', keyId: 'bap-key-1',
    bppPublicKey: w.t.app.beckn.signingKey.publicKey,
  });
  await registerSubscriber(w.t.db, { subscriberId: 'bap.test.example', keyId: 'bap-key-1', publicKey: bap.publicKey, type: 'BAP', subscriberUrl: bap.url });
});
afterAll(async () => {
  await bap.close();
  await w.close();
});

/** Sends, expects ACK, waits for the callback, checks it against the core schema and the request's ids. */
async function call(action: string, message: unknown) {
  const { ack, callback } = await bap.request(action, message, {}, 10_000);
  expect(ack.status, JSON.stringify(ack.body)).toBe(200);
  expect(ack.body).toEqual({ message: { ack: { status: 'ACK' } } });
  expect(callback.verified, callback.verifyError).toBe(true);
  expect(validateBeckn(`on_${action}`, callback.body)).toEqual([]);
  expect(callback.body.context).toMatchObject({ action: `on_${action}`, transaction_id: ack.transactionId, message_id: ack.messageId, bpp_id: BPP_ID, bap_id: 'bap.test.example' });
  return callback.body;
}

describe('the DENT flow, search to support', () => {
  let itemId: string;
  let orderId: string;

  it('search by gps and radius: a catalog of the CPO with live connector specs', async () => {
    const body = await call('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '5', unit: 'km' } } } });
    const provider = body.message.catalog.providers[0];
    expect(provider.id).toBe('PH*DCC');
    const items = provider.items as Array<{ id: string; price: { value: string } }>;
    const dc = items.find((i) => i.id.startsWith('DEMO-CP-002-1'));
    expect(dc?.price.value).toBe('24');
    itemId = dc!.id;
    const fulfillment = provider.fulfillments.find((f: { id: string }) => f.id === 'DEMO-CP-002-1');
    expect(JSON.stringify(fulfillment.tags)).toContain('CCS2');
  });

  it('select: a quote with the tariff breakup for the kWh asked', async () => {
    const body = await call('select', { order: { provider: { id: 'PH*DCC' }, items: [{ id: itemId, quantity: { selected: { measure: { value: '10', unit: 'kWh' } } } }] } });
    orderId = body.message.order.id;
    expect(body.message.order.quote.price).toEqual({ value: '241.92', currency: 'PHP' });
  });

  it('init: a payment link, NOT-PAID, and cancellation terms', async () => {
    const body = await call('init', { order: { id: orderId, items: [{ id: itemId }], billing: { name: 'Juan Dela Cruz', email: 'juan@example.com', phone: '+63-9171234567' } } });
    const payment = body.message.order.payments[0];
    expect(payment.status).toBe('NOT-PAID');
    expect(payment.url).toMatch(/\/pay\/pi_/);
    expect(body.message.order.cancellation_terms.length).toBeGreaterThan(0);
    expect(body.message.order.billing.name).toBe('Juan Dela Cruz');
  });

  it('confirm: on_confirm once the gateway says paid', async () => {
    const sent = await bap.send('confirm', { order: { id: orderId } });
    expect(sent.status).toBe(200);
    await w.gateway.pay(intentOf(w.gateway, orderId).id, 'UPI');
    const callback = await bap.waitFor('on_confirm', (c) => c.body.context.message_id === sent.messageId, 10_000);
    expect(validateBeckn('on_confirm', callback.body)).toEqual([]);
    expect(callback.body.message.order.payments[0].status).toBe('PAID');
  });

  it('update start-charging: RemoteStart, on_update charging-started when the charger starts', async () => {
    const body = await call('update', { update_target: 'order.fulfillments[0].state', order: { id: orderId, fulfillments: [{ state: { descriptor: { code: 'start-charging' } } }] } });
    expect(body.message.order.fulfillments[0].state.descriptor.code).toBe('charging-started');
  });

  it('status: live session details from the meter values', async () => {
    const body = await eventually(async () => {
      const b = await call('status', { order_id: orderId });
      return JSON.stringify(b.message.order.tags ?? []).includes('energy') ? b : undefined;
    }, 10_000);
    expect(body.message.order.fulfillments[0].state.descriptor.code).toBe('charging-started');
  });

  it('update end-charging: on_update charging-ended with the bill from metered energy', async () => {
    const body = await call('update', { update_target: 'order.fulfillments[0].state', order: { id: orderId, fulfillments: [{ state: { descriptor: { code: 'end-charging' } } }] } });
    expect(body.message.order.fulfillments[0].state.descriptor.code).toBe('charging-ended');
    const row = await w.t.db.selectFrom('chargingOrder').selectAll().where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(Number(body.message.order.quote.price.value)).toBe(Number(row.finalAmount));
  });

  it('rating and support', async () => {
    const rating = await call('rating', { ratings: [{ id: orderId, rating_category: 'Order', value: '5' }] });
    expect(rating.message).toBeDefined();
    const support = await call('support', { support: { ref_id: orderId } });
    expect(support.message.support.phone).toBe('+63 2 8888 0000');
  });
});

describe('the spec examples', () => {
  it("the DENT search example is answered with a schema-valid on_search (no chargers near Bangalore)", async () => {
    const markdown = readFileSync(sharedPath('spec', 'dent-ev-charging-workflow.md'), 'utf8');
    const search = [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!)).find((b) => b.context?.action === 'search');
    const body = await call('search', search.message);
    expect(body.message.catalog.providers).toEqual([]);
  });
});

describe('refusals', () => {
  it('a replayed message gets NACK and no second callback', async () => {
    const ack = await bap.send('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '1', unit: 'km' } } } });
    expect(ack.status).toBe(200);
    const replay = await bap.send('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '1', unit: 'km' } } } }, { message_id: ack.messageId, transaction_id: ack.transactionId });
    expect(replay.status).toBe(409);
    expect(replay.body.message.ack.status).toBe('NACK');
    await bap.waitFor('on_search', (c) => c.body.context.message_id === ack.messageId);
    await new Promise((r) => setTimeout(r, 1000));
    expect(bap.callbacks.filter((c) => c.body.context.message_id === ack.messageId)).toHaveLength(1);
  });

  it('unknown order, wrong domain, expired ttl, bad signature: NACK with the right status', async () => {
    expect((await bap.send('status', { order_id: 'ord-unknown' })).status).toBe(404);
    expect((await bap.send('search', { intent: {} }, { domain: 'retail:1.1.0' })).status).toBe(400);
    const stale = await bap.send('search', { intent: { location: { gps: MAKATI, radius: { type: 'CONSTANT', value: '1', unit: 'km' } } } }, { timestamp: new Date(Date.now() - 3_600_000).toISOString(), ttl: 'PT30S' });
    expect(stale.status).toBe(400);
    const unsigned = await bap.sendRaw('search', JSON.stringify({ context: { action: 'search' }, message: {} }), { authorization: 'Signature keyId="x|y|ed25519"' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message.ack.status).toBe('NACK');
  });
});
