import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../../src/tariffs/pricing.ts';
import type { Tariff } from '../../src/tariffs/tariff.ts';
import { lookupVehicle } from '../../src/vehicles/vehicle-catalogue.ts';
import { eventually } from '../fixtures/test-app.ts';
import { intentOf, startOrdersWorld, type OrdersWorld } from '../fixtures/orders-client.ts';

// The contract's whole flow (shared/spec/ev-charging-api-contract.md) against the demo data, the
// gateway simulator and the demo DC charger played by the simulator over a real websocket.

let w: OrdersWorld;
const MAKATI = [14.554729, 121.024445];
const NEXON = { make: 'Tata', model: 'Nexon EV', type: '4-wheeler' };

beforeAll(async () => {
  w = await startOrdersWorld({ MAINTENANCE_INTERVAL_S: '0.2' });
});
afterAll(async () => {
  await w.close();
});

const sum = (lines: Array<{ value: number | string }>) => lines.reduce((a, l) => a + Math.round(Number(l.value) * 100), 0) / 100;

async function quote(connector = 'DEMO-CP-002-1', extra: Record<string, unknown> = {}) {
  const res = await w.request('POST', '/estimate', { evse_id: 'DEMO-CP-002', connector_id: connector, vehicle: NEXON, energy: { value: 10, unit: 'kWh' }, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function paidOrder(connector = 'DEMO-CP-002-1', extra: Record<string, unknown> = {}) {
  const estimate = await quote(connector, extra);
  const id = estimate.order.id as string;
  const payment = await w.request('POST', `/orders/${id}/payment`, { payment_method: 'UPI' });
  expect(payment.status, JSON.stringify(payment.body)).toBe(200);
  await w.gateway.pay(intentOf(w.gateway, id).id, 'UPI');
  await eventually(async () => (await w.request('GET', `/orders/${id}`)).body.payment.status === 'PAID');
  return { id, estimate };
}

describe('the documented flow, search to rating', () => {
  let orderId: string;
  let estimate: any;

  it('searches connectors near a point, with live status and the tariff as offer', async () => {
    const res = await w.request('POST', '/search?page=1&per_page=10', { geo_coordinates: MAKATI, distance_meters: 5000, filters: { connector_type: 'CCS2' } }, { 'x-transaction-id': undefined, 'x-bpp-id': undefined });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-transaction-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toMatchObject({ total: 1, page: 1, per_page: 10 });
    const [catalog] = res.body.catalogs;
    expect(catalog.connectors).toHaveLength(1);
    expect(catalog.connectors[0]).toMatchObject({
      id: 'DEMO-CP-002-1',
      geo_coordinates: MAKATI,
      availabilityWindow: [{ startTime: '00:00:00', endTime: '23:59:59' }],
      rating: { value: 0, count: 0 },
      isActive: true,
      provider: { id: 'PH*DCC', descriptor: { name: 'Demo Charging Co' } },
      connectorAttributes: { connectorType: 'CCS2', maxPowerKW: 50, status: 'Available', chargingSpeed: 'FAST', powerType: 'DC', connectorFormat: 'CABLE' },
    });
    expect(catalog.offers).toEqual([expect.objectContaining({
      descriptor: { name: 'Demo Plaza DC fast' },
      items: ['DEMO-CP-002-1'],
      price: { currency: 'PHP', value: 24, applicableQuantity: { unitText: 'Kilowatt Hour', unitCode: 'KWH', unitQuantity: 1 } },
      acceptedPaymentMethod: ['UPI', 'Card', 'Wallet'],
    })]);
  });

  it('estimates: a quoted order whose price components add up to the amount', async () => {
    estimate = await quote();
    orderId = estimate.order.id;
    expect(estimate).toMatchObject({
      order: { status: 'quoted_price', mode: 'instant' },
      amount: { currency: 'PHP' },
      energy: { value: 10, unit: 'kWh' },
      cancellation: { fee: { percentage: '30' } },
    });
    // 10 kWh × 24.00 = 240.00, less the 10 % launch offer = 216.00, plus 12 % tax = 241.92.
    expect(estimate.priceComponents.map((c: any) => [c.type, c.value])).toEqual([['UNIT', 240], ['DISCOUNT', -24], ['FEE', 25.92]]);
    expect(estimate.amount.value).toBe(241.92);
    expect(sum(estimate.priceComponents)).toBe(estimate.amount.value);
    // 10 kWh at the lower of the connector's 50 kW and what the car takes on DC; a share of its pack.
    const car = lookupVehicle(NEXON);
    const kw = Math.min(50, Number(car.maxDcKw));
    expect(Number(estimate.durationInMinutes)).toBe(Math.ceil((10 / kw) * 60));
    expect(Number(estimate.percentageOfBatteryCharged)).toBe(Math.round((10 / Number(car.batteryKwh)) * 100));
    expect(Date.parse(estimate.validity.endDate)).toBeGreaterThan(Date.parse(estimate.validity.startDate));
  });

  it('cannot start before it is paid', async () => {
    const res = await w.request('PUT', `/orders/${orderId}/start`);
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', details: { order_id: orderId } });
  });

  it('initiates payment: a payment URL, the order ACTIVE and PENDING until the signed webhook', async () => {
    const res = await w.request('POST', `/orders/${orderId}/payment`, { payment_method: 'UPI' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ order: { id: orderId, status: 'ACTIVE', mode: 'INSTANT' }, currency: 'PHP', amount: 241.92, acceptedPaymentMethod: ['UPI', 'Card', 'Wallet'] });
    expect(res.body.payment_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\//);
    const again = await w.request('POST', `/orders/${orderId}/payment`, {});
    expect(again.body.payment_url).toBe(res.body.payment_url);
    expect((await w.request('GET', `/orders/${orderId}`)).body.payment.status).toBe('PENDING');

    const event = await w.gateway.pay(intentOf(w.gateway, orderId).id, 'UPI');
    expect(event.delivered).toBe(true);
    await w.gateway.redeliver(event.id);
    const order = await w.request('GET', `/orders/${orderId}`);
    expect(order.body).toMatchObject({ order: { status: 'ACTIVE' }, payment: { status: 'PAID' }, charging: { status: 'IDLE' }, connectorId: 'DEMO-CP-002-1', connectorType: 'CCS2' });
    expect(order.body.vehicle).toEqual({ type: '4-wheeler', model: 'Nexon EV', make: 'Tata' });
  });

  it('starts: RemoteStartTransaction, ACTIVE once the charger starts the transaction; a repeat sends nothing', async () => {
    const res = await w.request('PUT', `/orders/${orderId}/start`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ order: { id: orderId, status: 'ACTIVE', mode: 'INSTANT' }, payment: { status: 'PAID' }, charging: { status: 'ACTIVE' } });
    const again = await w.request('PUT', `/orders/${orderId}/start`);
    expect(again.body.charging.status).toBe('ACTIVE');
    const commands = await w.t.db.selectFrom('ocppCommand').select('action').where('requestedBy', '=', `order:${orderId}`).execute();
    expect(commands.map((c) => c.action)).toEqual(['RemoteStartTransaction']);
  });

  it('shows live telemetry from the latest meter values', async () => {
    const order = await eventually(async () => {
      const res = await w.request('GET', `/orders/${orderId}`);
      const energy = res.body.chargingTelemetry?.metrics.find((m: any) => m.name === 'ENERGY');
      return energy && energy.value > 0 ? res.body : undefined;
    }, 8000);
    const metrics = Object.fromEntries(order.chargingTelemetry.metrics.map((m: any) => [m.name, m]));
    expect(Object.keys(metrics)).toEqual(expect.arrayContaining(['POWER', 'ENERGY', 'VOLTAGE', 'CURRENT', 'SESSION_DURATION']));
    expect(metrics.POWER.unitCode).toBe('KW');
    expect(metrics.ENERGY.unitCode).toBe('KWH');
    expect(metrics.SESSION_DURATION.unitCode).toBe('min');
    // ENERGY is what was delivered in this session: the register's latest reading less meterStart.
    const tx = await w.t.db.selectFrom('transaction').selectAll().where('idTag', '=', (await orderRow(orderId)).idTag!).executeTakeFirstOrThrow();
    const latest = await w.t.db.selectFrom('meterValue').select(['value', 'sampledAt']).where('transactionId', '=', tx.id)
      .where('measurand', '=', 'Energy.Active.Import.Register').where('sampledAt', '<=', new Date(order.chargingTelemetry.eventTime))
      .orderBy('sampledAt', 'desc').limit(1).executeTakeFirstOrThrow();
    expect(metrics.ENERGY.value).toBeCloseTo((Number(latest.value) - tx.meterStart) / 1000, 3);
  });

  it('stops: COMPLETED when the charger stops, billed from the metered energy with a refund of the rest', async () => {
    const res = await w.request('PUT', `/orders/${orderId}/stop`, { reason_code: 'BATTERY_FULL', message: 'enough' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ order: { status: 'COMPLETED' }, payment: { status: 'PAID' }, charging: { status: 'COMPLETED' } });
    const row = await orderRow(orderId);
    const tx = await w.t.db.selectFrom('transaction').selectAll().where('id', '=', row.transactionId!).executeTakeFirstOrThrow();
    const expected = settle(row.tariff as Tariff, {
      energyKwh: ((tx.meterStop! - tx.meterStart) / 1000).toFixed(3),
      minutes: ((tx.stopTimestamp!.getTime() - tx.startTimestamp.getTime()) / 60_000).toFixed(2),
      idleMinutes: '0',
      startAt: tx.startTimestamp,
      reservation: false,
    }, '241.92');
    expect(res.body.price_components).toEqual(expected.components.map((c) => expect.objectContaining({ value: Number(c.amount), currency: 'PHP' })));
    expect(res.body.price_components[0].type).toBe('BASE');
    const refund = res.body.price_components.at(-1);
    expect(refund.type).toBe('REFUND');
    expect(refund.value).toBe(-Number(expected.refund));
    await eventually(async () => [...w.gateway.refunds.values()].find((r) => r.amount === expected.refund));
    const again = await w.request('PUT', `/orders/${orderId}/stop`, {});
    expect(again.body.price_components).toEqual(res.body.price_components);
  });

  it('rates once; the rating shows in search', async () => {
    const res = await w.request('POST', `/orders/${orderId}/rating`, { value: 5, feedback: { comments: 'Fast', tags: ['fast', 'clean'] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ order: { id: orderId, status: 'COMPLETED' }, feedbackForm: { submission_id: expect.stringMatching(/^feedback-/) } });
    expect((await w.request('POST', `/orders/${orderId}/rating`, { value: 4 })).status).toBe(409);
    const search = await w.request('POST', '/search', { evse_id: 'DEMO-CP-002' });
    const connector = search.body.catalogs[0].connectors.find((c: any) => c.id === 'DEMO-CP-002-1');
    expect(connector.rating).toEqual({ value: 5, count: 1 });
  });

  it("answers the CPO's support details", async () => {
    const res = await w.request('GET', `/orders/${orderId}/support`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      order: { id: orderId, status: 'COMPLETED', mode: 'INSTANT' },
      name: 'Demo Charging Co helpdesk', phone: '+63 2 8888 0000', email: 'help@demo-charging.example',
      url: 'https://demo-charging.example/help', hours: 'Mon–Sun 06:00–22:00', channels: ['phone', 'email', 'web'],
    });
  });
});

describe('a session the charger ends by itself', () => {
  it('completes the order the same way when the EV is unplugged', async () => {
    const { id } = await paidOrder();
    expect((await w.request('PUT', `/orders/${id}/start`)).body.charging.status).toBe('ACTIVE');
    await w.cp.stopCharging(1, 'EVDisconnected');
    const order = await eventually(async () => {
      const res = await w.request('GET', `/orders/${id}`);
      return res.body.order.status === 'COMPLETED' ? res.body : undefined;
    });
    expect(order.charging.status).toBe('COMPLETED');
    const row = await orderRow(id);
    expect(row.finalAmount).not.toBeNull();
    expect(row.stopReason).toBe('EVDisconnected');
  });
});

describe('cancel', () => {
  it('before payment: free, nothing refunded; a repeat answers the same', async () => {
    const { order } = await quote();
    const estimate = await w.request('GET', `/orders/${order.id}/cancel?cancel_reason=plans`);
    expect(estimate.status).toBe(200);
    expect(estimate.body.price_components).toEqual([{ type: 'FEE', value: '0.00', currency: 'PHP', description: expect.any(String) }]);
    const res = await w.request('POST', `/orders/${order.id}/cancel`, { cancel_reason: 'Change of plans', cancel_code: 'USER_INITIATED' });
    expect(res.status).toBe(200);
    expect(res.body.order.status).toBe('CANCELLED');
    expect((await w.request('POST', `/orders/${order.id}/cancel`, {})).body).toEqual(res.body);
    expect((await w.request('POST', `/orders/${order.id}/payment`, {})).status).toBe(409);
  });

  it('after payment: the tariff keeps 30 %, the rest is refunded once', async () => {
    const { id } = await paidOrder();
    const estimate = await w.request('GET', `/orders/${id}/cancel`);
    expect(estimate.body.price_components).toEqual([
      { type: 'PAID', value: '241.92', currency: 'PHP', description: expect.any(String) },
      { type: 'FEE', value: '72.58', currency: 'PHP', description: expect.any(String) },
    ]);
    const res = await w.request('POST', `/orders/${id}/cancel`, { cancel_reason: 'Change of plans' });
    expect(res.body.order.status).toBe('CANCELLED');
    expect(res.body.price_components).toEqual([
      { type: 'FEE', value: '72.58', currency: 'PHP', description: expect.any(String) },
      { type: 'REFUND', value: '-169.34', currency: 'PHP', description: expect.any(String) },
    ]);
    await w.request('POST', `/orders/${id}/cancel`, {});
    const refunds = await w.t.db.selectFrom('refund').selectAll().where('orderId', '=', id).execute();
    expect(refunds.map((r) => [r.reason, r.amount])).toEqual([['cancellation', '169.34']]);
    expect([...w.gateway.refunds.values()].filter((r) => r.amount === '169.34')).toHaveLength(1);
  });

  it('not while charging: stop instead', async () => {
    const { id } = await paidOrder();
    expect((await w.request('PUT', `/orders/${id}/start`)).body.charging.status).toBe('ACTIVE');
    const res = await w.request('POST', `/orders/${id}/cancel`, {});
    expect(res.status).toBe(409);
    expect((await w.request('PUT', `/orders/${id}/stop`, {})).body.order.status).toBe('COMPLETED');
  });
});

describe('a paid order nobody charges on', () => {
  it('is cancelled as a no-show when its window ends, the tariff fee kept and the rest refunded', async () => {
    const end = new Date(Date.now() + 3_600_000).toISOString();
    const { id } = await paidOrder('DEMO-CP-002-1', { time_window: { start: new Date().toISOString(), end } });
    // The hour passes: the window now ended a moment ago.
    await w.t.db.updateTable('chargingOrder').set({ validFrom: new Date(Date.now() - 3_600_000), validUntil: new Date(Date.now() - 1000) }).where('id', '=', id).execute();
    const order = await eventually(async () => {
      const res = await w.request('GET', `/orders/${id}`);
      return res.body.order.status === 'CANCELLED' ? res.body : undefined;
    }, 8000);
    expect(order.order.mode).toBe('RESERVATION');
    const row = await orderRow(id);
    expect(row.cancelCode).toBe('NO_SHOW');
    // The refund follows the cancel's commit (it calls the payment gateway): wait for it too.
    const refunds = await eventually(async () => {
      const rows = await w.t.db.selectFrom('refund').selectAll().where('orderId', '=', id).execute();
      return rows.length > 0 ? rows : undefined;
    }, 8000);
    expect(refunds.map((r) => [r.reason, r.amount])).toEqual([['cancellation', row.refundDue]]);
  });
});

const orderRow = (id: string) => w.t.db.selectFrom('chargingOrder').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
