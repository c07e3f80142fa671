import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CatalogConnector, CatalogPage } from '../../src/catalog/catalog.service.ts';
import type { Telemetry } from '../../src/charging-orders/order.service.ts';
import type { ChargingOrderRow, PaymentRow } from '../../src/db/schema.ts';
import * as codes from '../../src/beckn/beckn-codes.ts';
import { buildOnSearchMessage, formatItemId, parseItemId } from '../../src/beckn/catalog-message.ts';
import * as intent from '../../src/beckn/intent.ts';
import { buildOnRatingMessage, buildOnSupportMessage, buildOrderMessage, fulfillmentStateOf } from '../../src/beckn/order-message.ts';
import { costSoFar, sessionDetailsTags } from '../../src/beckn/session-message.ts';
import { cancellationTerms, priceSession } from '../../src/tariffs/pricing.ts';
import type { Tariff } from '../../src/tariffs/tariff.ts';
import { BECKN_SCHEMA_DIR, validateBeckn } from '../fixtures/beckn-schemas.ts';

const SPEC = join(BECKN_SCHEMA_DIR, '../../spec/dent-ev-charging-workflow.md');

/** The JSON code blocks of the DENT workflow, by action, in document order. */
function specExamples(): Map<string, Array<{ message: unknown }>> {
  const byAction = new Map<string, Array<{ message: unknown }>>();
  for (const m of readFileSync(SPEC, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)) {
    const body = JSON.parse(m[1]!) as { context: { action: string }; message: unknown };
    byAction.set(body.context.action, [...(byAction.get(body.context.action) ?? []), body]);
  }
  return byAction;
}

function envelope(action: string, message: unknown) {
  return {
    context: {
      domain: codes.DENT_DOMAIN,
      version: codes.BECKN_VERSION,
      action,
      location: { country: { code: 'IND' }, city: { code: 'std:080' } },
      bap_id: 'bap.example.com',
      bap_uri: 'https://bap.example.com/beckn',
      bpp_id: 'bpp.example.com',
      bpp_uri: 'https://bpp.example.com/beckn',
      transaction_id: '6743e9e2-4fb5-487c-92b7-13ba8018f176',
      message_id: '0e3b8b0a-2f5d-4a53-9b0e-6d1c1f7e3a11',
      timestamp: '2026-12-01T10:00:00.000Z',
    },
    message,
  };
}

const tariff: Tariff = {
  id: 7, cpoOwnerId: 3, name: 'Standard', currency: 'INR', energyPrice: '18.5000', timePrice: '0.0000', sessionFee: '10.0000',
  reservationFee: '0', idleFee: '2.0000', idleGraceMinutes: 10, taxPercent: '18.00', discountPercent: '0', discountDescription: null,
  surcharges: [{ from: '18:00', to: '22:00', percent: '10', description: 'Peak' }], cancellationFeePercent: '30.00',
  paymentMethods: ['UPI', 'Card'], timeZone: 'Asia/Kolkata',
};

const connector: CatalogConnector = {
  id: 'CP-001-1', dbId: 11, evseUid: 'CP-001', evseId: 'IN*DCC*E0001', ocppConnectorId: 1, lat: 12.9716, lng: 77.5946,
  connectorType: 'CCS2', maxPowerKw: '50', powerType: 'DC', format: 'CABLE', socketCount: 1, status: 'Available', isActive: true,
  chargingSpeed: 'FAST', rating: { value: '4.5', count: 2 }, provider: { id: 'IN*DCC', name: 'Demo Charge Co' },
  availabilityWindow: [{ startTime: '00:00:00', endTime: '23:59:59' }], reservationSupported: true, tariffIds: [7],
};

const page: CatalogPage = {
  total: 1, page: 1, perPage: 20,
  catalogs: [{ id: 'catalog-location-5', locationId: 5, distanceMeters: 120, connectors: [connector, { ...connector, id: 'CP-001-2', ocppConnectorId: 2, connectorType: 'TYPE_2', powerType: 'AC_3_PHASE', maxPowerKw: '22', rating: { value: '0.0', count: 0 } }], offers: [{ ...tariff, items: ['CP-001-1', 'CP-001-2'] }] }],
};

const quote = priceSession(tariff, { energyKwh: '10.000', minutes: '12.00', idleMinutes: '0', startAt: new Date('2026-12-01T06:00:00Z'), reservation: false });
const t0 = new Date('2026-12-01T10:00:00Z');
const baseOrder: ChargingOrderRow = {
  id: 'ord-1', apiClientId: 4, channel: 'beckn', externalRef: '6743e9e2-4fb5-487c-92b7-13ba8018f176', status: 'quoted', mode: 'instant',
  paymentStatus: 'not_paid', chargingStatus: 'idle', cpoOwnerId: 3, locationId: 5, evseId: 9, connectorId: 11, chargePointId: 'CP-001',
  ocppConnectorId: 1, connectorType: 'CCS2', tariffId: 7, tariff, vehicleMake: null, vehicleModel: null, vehicleType: '4-wheeler',
  energyKwh: '10.000', durationMinutes: 12, batteryPercent: 20, currency: 'INR', quotedAmount: quote.total, quote: quote.components,
  validFrom: t0, validUntil: new Date('2026-12-01T10:15:00Z'), idTag: null, transactionId: null, chargingStartedAt: null,
  energyDeliveredKwh: null, finalAmount: null, finalComponents: null, refundDue: null, completedAt: null, stopReason: null,
  cancelReason: null, cancelCode: null, cancellationFee: null, cancelledAt: null, createdAt: t0, updatedAt: t0,
};
const payment: PaymentRow = {
  id: 21, orderId: 'ord-1', provider: 'sim', intentId: 'pi_123', status: 'paid', amount: quote.total, currency: 'INR', method: 'UPI',
  paymentUrl: 'https://pay.example.com/pi_123', expiresAt: new Date('2026-12-01T10:15:00Z'), paidAt: t0, refundedAmount: '0',
  createdAt: t0, updatedAt: t0,
};
const telemetry: Telemetry = {
  eventTime: new Date('2026-12-01T10:20:00Z'), stateOfCharge: 47, powerKw: '33.400', energyKwh: '4.200', voltageV: 382.08, currentA: 100.35, sessionMinutes: '8.50',
};
const provider = { id: 'IN*DCC', name: 'Demo Charge Co' };
const spec = { connectorType: 'CCS2', powerType: 'DC', maxPowerKw: '50', status: 'Available', lat: 12.9716, lng: 77.5946 };

const paid = { ...baseOrder, status: 'active', paymentStatus: 'paid' } as const satisfies ChargingOrderRow;
const charging = { ...paid, chargingStatus: 'active', transactionId: 99, chargingStartedAt: new Date('2026-12-01T10:11:30Z') } as const satisfies ChargingOrderRow;
const completedBill = priceSession(tariff, { energyKwh: '8.000', minutes: '10.00', idleMinutes: '0', startAt: t0, reservation: false });
const completed: ChargingOrderRow = {
  ...charging, status: 'completed', chargingStatus: 'completed', energyDeliveredKwh: '8.000', finalAmount: completedBill.total,
  finalComponents: [...completedBill.components, { kind: 'refund', amount: '-10.00', currency: 'INR', description: 'Refund' }], refundDue: '10.00',
  completedAt: new Date('2026-12-01T10:22:00Z'),
};
const cancelled: ChargingOrderRow = { ...paid, status: 'cancelled', cancelCode: 'NO_SHOW', cancelReason: 'The charging window ended without a session', cancelledAt: new Date('2026-12-01T10:16:00Z') };

describe('Beckn schema fixture', () => {
  it('flags what does not conform', () => {
    expect(validateBeckn('on_support', envelope('on_support', { support: { phone: 5 } }))).not.toEqual([]);
    expect(validateBeckn('status', envelope('status', { order_id: 'ord-1' }))).toEqual([]);
  });
});

describe('on_search catalog', () => {
  const message = buildOnSearchMessage(page, { bppName: 'Demo BPP', locationInfo: () => ({ name: 'MG Road', address: '1 MG Road, Bengaluru' }), timeWindow: { start: t0, end: new Date('2026-12-01T11:00:00Z') } });

  it('validates against on_search', () => {
    expect(validateBeckn('on_search', envelope('on_search', message))).toEqual([]);
  });

  it('has one item per connector and tariff whose id leads back to both', () => {
    const p = (message.catalog.providers as Array<Record<string, unknown>>)[0]!;
    expect(p.id).toBe('IN*DCC');
    const items = p.items as Array<{ id: string; price: { value: string } }>;
    expect(items.map((i) => i.id)).toEqual(['CP-001-1~offer-7', 'CP-001-2~offer-7']);
    expect(items[0]!.price.value).toBe('18.5');
    expect(parseItemId(items[0]!.id)).toEqual({ connectorId: 'CP-001-1', evseUid: 'CP-001', ocppConnectorId: 1, tariffId: 7 });
    const fulfillments = p.fulfillments as Array<{ type: string; tags: Array<{ list: Array<{ descriptor: { code: string }; value: string }> }> }>;
    expect(fulfillments).toHaveLength(2);
    expect(fulfillments[0]!.type).toBe('CHARGING');
    const specs = Object.fromEntries(fulfillments[0]!.tags[0]!.list.map((t) => [t.descriptor.code, t.value]));
    expect(specs).toMatchObject({ 'charger-type': 'DC', 'connector-type': 'CCS2', 'power-rating': '50 kW', availability: 'Available' });
  });
});

describe('item ids', () => {
  it('round-trip, even with dashes and tildes in the charger identity', () => {
    for (const [connectorId, tariffId] of [['CP-001-1', 7], ['a~b-c-12', 123456789], ['X-0', 1]] as const) {
      const parsed = parseItemId(formatItemId(connectorId, tariffId));
      expect(parsed?.connectorId).toBe(connectorId);
      expect(parsed?.tariffId).toBe(tariffId);
    }
    expect(parseItemId('pe-charging-01')).toBeNull();
  });
});

describe('spec request examples parse', () => {
  const examples = specExamples();
  const one = (action: string, i = 0) => examples.get(action)![i]!.message;

  it('search', () => {
    const query = intent.parseSearchIntent(one('search'));
    expect(query.near).toEqual({ lat: 12.423423, lng: 77.325647, distanceMeters: 5000 });
    expect(query.connectorType).toBeUndefined();
  });
  it('select', () => {
    const select = intent.parseSelect(one('select'));
    expect(select).toMatchObject({ providerId: 'chargezone.in', itemId: 'pe-charging-01', item: null, energyKwh: '4.000' });
    expect(() => intent.toEstimateInput(select)).toThrowError(expect.objectContaining({ becknCode: '30004' }));
  });
  it('init and confirm', () => {
    const init = intent.parseInit(one('init'));
    expect(init.billing).toEqual({ name: 'John Doe', email: 'abc@example.com', phone: '+91-9876522222' });
    expect(init.customer).toEqual({ name: 'John Doe', phone: '+91-9887766554' });
    const confirm = intent.parseConfirm(one('confirm'));
    expect(confirm).toMatchObject({ providerId: 'chargezone.in', payment: { status: 'PAID', amount: '40', currency: 'INR' } });
  });
  it('update ×2', () => {
    expect(intent.parseUpdate(one('update', 0))).toMatchObject({ action: 'start', code: 'start-charging', fulfillmentId: '1' });
    expect(intent.parseUpdate(one('update', 1))).toMatchObject({ action: 'stop', code: 'end-charging' });
  });
  it('status, cancel, rating, support', () => {
    expect(intent.parseStatus(one('status'))).toEqual({ orderId: '6743e9e2-4fb5-487c-92b7' });
    for (const message of examples.get('cancel')!.map((e) => e.message)) {
      expect(intent.parseCancel(message)).toMatchObject({ orderId: '6743e9e2-4fb5-487c-92b7', reasonId: '5', request: { code: '5' } });
    }
    expect(intent.parseRating(one('rating'))).toEqual([{ id: '6743e9e2-4fb5-487c-92b7', category: 'charger', input: { value: 5 } }]);
    for (const message of examples.get('support')!.map((e) => e.message)) {
      expect(intent.parseSupport(message)).toMatchObject({ orderId: '6743e9e2-4fb5-487c-92b7', email: 'john.doe@gmail.com' });
    }
  });
});

describe('incoming messages: our own shapes and bad input', () => {
  it('search by circle, connector tag, provider and time window', () => {
    const query = intent.parseSearchIntent({
      intent: {
        provider: { id: 'IN*DCC' },
        category: { descriptor: { code: 'Type 2' } },
        fulfillment: { stops: [{ location: { circle: { gps: '12.97,77.59', radius: { value: '800', unit: 'm' } } }, time: { range: { start: '2026-12-01T10:00:00Z', end: '2026-12-01T11:00:00Z' } } }] },
      },
    });
    expect(query).toMatchObject({ cpo: 'IN*DCC', connectorType: 'TYPE_2', near: { lat: 12.97, lng: 77.59, distanceMeters: 800 } });
    expect(query.timeWindow?.end.toISOString()).toBe('2026-12-01T11:00:00.000Z');
    expect(intent.parseSearchIntent({ intent: { location: { gps: '1,2', radius: { value: '500', unit: 'km' } } } }).near?.distanceMeters).toBe(50_000);
    expect(intent.parseSearchIntent({ intent: { item: { id: 'CP-001-1~offer-7' } } }).evseId).toBe('CP-001');
  });
  it('reject bad values with a Beckn code and the JSON path', () => {
    const bad = (fn: () => unknown) => { try { fn(); } catch (err) { return err as intent.BecknRequestError; } throw new Error('no error'); };
    expect(bad(() => intent.parseSearchIntent({ intent: { location: { gps: '91,2' } } }))).toMatchObject({ becknCode: '30000', path: 'message.intent.location.gps' });
    expect(bad(() => intent.parseSearchIntent({ intent: { location: { gps: '1,2', radius: { value: '5', unit: 'mi' } } } })).path).toBe('message.intent.location.radius.unit');
    expect(bad(() => intent.parseSearchIntent({ intent: {} })).path).toBe('message.intent.location');
    expect(bad(() => intent.parseUpdate({ order: { fulfillments: [{ state: { descriptor: { code: 'fly' } } }] } })).becknCode).toBe('30012');
    expect(bad(() => intent.parseRating({ ratings: [{ id: 'o', value: '6' }] })).becknCode).toBe('30015');
    expect(bad(() => intent.parseSelect({ order: { items: [{ id: 'x', quantity: { selected: { measure: { value: '-1', unit: 'kWh' } } } }] } })).path)
      .toBe('message.order.items[0].quantity.selected.measure.value');
  });
  it('select of one of our items becomes an estimate input', () => {
    const select = intent.parseSelect({ order: { items: [{ id: 'CP-001-1~offer-7', quantity: { selected: { measure: { value: '250', unit: 'INR' } } } }], fulfillments: [{ vehicle: { make: 'Tata', model: 'Nexon EV' } }] } });
    expect(intent.toEstimateInput(select)).toEqual({ evseId: 'CP-001', connectorId: 'CP-001-1', tariffId: 7, vehicle: { make: 'Tata', model: 'Nexon EV', type: '' }, amount: { value: '250', currency: 'INR' } });
  });
});

describe('Order of on_* callbacks', () => {
  const cases: Array<[string, string, ChargingOrderRow, Parameters<typeof buildOrderMessage>[0] | undefined]> = [
    ['on_select', 'order-initiated', baseOrder, undefined],
    ['on_init', 'order-initiated', { ...baseOrder, status: 'active', paymentStatus: 'pending' }, { order: baseOrder, provider, payment: { ...payment, status: 'pending' }, billing: { name: 'John', email: 'j@example.com', phone: '+91' } }],
    ['on_confirm', 'payment-completed', paid, undefined],
    ['on_update', 'charging-started', charging, { order: charging, provider, payment, telemetry, connector: spec }],
    ['on_status', 'charging-started', charging, { order: charging, provider, payment, telemetry }],
    ['on_update', 'charging-ended', completed, undefined],
    ['on_cancel', 'cancelled', cancelled, { order: cancelled, provider, payment, cancellation: cancellationTerms(tariff, quote.total) }],
  ];
  it.each(cases)('%s (%s) validates against its schema', (action, state, order, input) => {
    const message = buildOrderMessage({ provider, payment, customer: { name: 'John', phone: '+91-98' }, connector: spec, ...input, order });
    expect(validateBeckn(action, envelope(action, message))).toEqual([]);
    expect(fulfillmentStateOf(order)).toBe(state);
    const fulfillment = (message.order.fulfillments as Array<{ state: { descriptor: { code: string } } }>)[0]!;
    expect(fulfillment.state.descriptor.code).toBe(state);
  });

  it('quotes the estimate, then the bill, and a cancellation as the refund with the fee in the breakup', () => {
    const q = (o: ChargingOrderRow, extra = {}) => buildOrderMessage({ order: o, provider, ...extra }).order.quote as { price: { value: string }; breakup: Array<{ title: string; price: { value: string } }> };
    expect(q(baseOrder).price.value).toBe(quote.total);
    expect(q(completed).price.value).toBe(completedBill.total);
    expect(q(completed).breakup.map((b) => b.title)).not.toContain('Refund');
    const c = q(cancelled);
    const terms = cancellationTerms(tariff, quote.total);
    expect(c.price.value).toBe(`-${terms.refund}`);
    expect(c.breakup.map((b) => b.price.value)).toEqual([`-${quote.total}`, terms.fee]);
    expect((buildOrderMessage({ order: cancelled, provider }).order.cancellation as { cancelled_by: string }).cancelled_by).toBe('PROVIDER');
  });

  it('payments carry the link and PAID / NOT-PAID', () => {
    const pay = (o: ChargingOrderRow) => (buildOrderMessage({ order: o, provider, payment }).order.payments as Array<Record<string, unknown>>)[0]!;
    expect(pay(baseOrder)).toMatchObject({ type: 'PRE-ORDER', status: 'NOT-PAID', url: 'https://pay.example.com/pi_123', params: { amount: quote.total, currency: 'INR' } });
    expect(pay(paid).status).toBe('PAID');
  });
});

describe('session details', () => {
  it('lists the live readings and the cost so far', () => {
    const cost = costSoFar(charging, telemetry);
    const group = sessionDetailsTags(telemetry, { cost });
    const values = Object.fromEntries(group.list.map((t) => [t.descriptor.code, t.value]));
    expect(values).toMatchObject({ time_elapsed: '8.5 min', energy_delivered: '4.2 kWh', current_soc: '47 %', voltage: '382.08 V', current: '100.35 A', power: '33.4 kW', last_calculated_cost: `${cost.value} INR` });
    expect(group.descriptor.code).toBe('charging-session-details');
  });
});

describe('on_support and on_rating', () => {
  it('validate against their schemas', () => {
    expect(validateBeckn('on_support', envelope('on_support', buildOnSupportMessage({ orderId: 'ord-1', phone: '1800 1080', email: 'care@example.com', url: 'https://example.com/help' })))).toEqual([]);
    expect(validateBeckn('on_rating', envelope('on_rating', buildOnRatingMessage({ formUrl: 'https://example.com/feedback' })))).toEqual([]);
    expect(validateBeckn('on_rating', envelope('on_rating', buildOnRatingMessage()))).toEqual([]);
  });
});
