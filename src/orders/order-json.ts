import type { Cancellation } from '../charging-orders/order-cancel.service.ts';
import type { Estimate } from '../charging-orders/order-quote.service.ts';
import type { OrderView, Telemetry } from '../charging-orders/order.service.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import type { PriceComponent, PriceComponentKind } from '../tariffs/pricing.ts';

// The domain order as the contract's JSON (shared/spec/ev-charging-api-contract.md). Amounts are
// exact decimal strings inside; the contract wants JSON numbers for most of them, and strings in
// the cancellation bodies.

const ORDER_STATUS = { quoted: 'quoted_price', active: 'ACTIVE', completed: 'COMPLETED', cancelled: 'CANCELLED' } as const;
const PAYMENT_STATUS = { not_paid: 'PENDING', pending: 'PENDING', paid: 'PAID', failed: 'FAILED', refunded: 'REFUNDED' } as const;
const CHARGING_STATUS = { idle: 'IDLE', starting: 'IDLE', active: 'ACTIVE', stopping: 'ACTIVE', completed: 'COMPLETED' } as const;

/** Estimate lines use UNIT for what is bought, the final bill BASE. */
const COMPONENT_TYPE: Record<PriceComponentKind, string> = {
  energy: 'UNIT',
  time: 'UNIT',
  session_fee: 'FEE',
  reservation_fee: 'FEE',
  idle_fee: 'FEE',
  surcharge: 'SURCHARGE',
  discount: 'DISCOUNT',
  tax: 'FEE',
  extra_charge: 'FEE',
  refund: 'REFUND',
  cancellation_fee: 'FEE',
  paid: 'PAID',
};

export const orderRef = (o: ChargingOrderRow, upperMode = true) => ({
  id: o.id,
  status: ORDER_STATUS[o.status],
  // The contract spells the mode in lower case in the estimate only.
  mode: upperMode ? o.mode.toUpperCase() : o.mode,
});

const statuses = (o: ChargingOrderRow) => ({
  order: orderRef(o),
  payment: { status: PAYMENT_STATUS[o.paymentStatus] },
  charging: { status: CHARGING_STATUS[o.chargingStatus] },
});

const validity = (o: ChargingOrderRow) => ({ startDate: o.validFrom.toISOString(), endDate: o.validUntil.toISOString() });

function components(lines: PriceComponent[], final: boolean, asString = false) {
  return lines.map((c) => ({
    type: final && COMPONENT_TYPE[c.kind] === 'UNIT' ? 'BASE' : COMPONENT_TYPE[c.kind],
    value: asString ? c.amount : Number(c.amount),
    currency: c.currency,
    description: c.description,
  }));
}

export function estimateJson(e: Estimate) {
  const o = e.order;
  return {
    order: orderRef(o, false),
    amount: { value: Number(o.quotedAmount), currency: o.currency },
    durationInMinutes: String(o.durationMinutes),
    percentageOfBatteryCharged: String(o.batteryPercent ?? 0),
    energy: { value: Number(o.energyKwh), unit: 'kWh' },
    validity: validity(o),
    priceComponents: components(e.components, false),
    cancellation: { fee: { percentage: trimPercent(e.tariff.cancellationFeePercent) } },
    offer_id: `offer-${e.tariff.id}`,
  };
}

export function paymentJson(view: { order: ChargingOrderRow; payment: { amount: string; currency: string; paymentUrl: string | null; status: string; expiresAt: Date | null }; methods: string[] }) {
  const o = view.order;
  return {
    order: orderRef(o),
    currency: view.payment.currency,
    amount: Number(view.payment.amount),
    benificiary_id: '',
    acceptedPaymentMethod: view.methods,
    payment_url: view.payment.paymentUrl ?? '',
    validity: validity(o),
    payment: { status: PAYMENT_STATUS[o.paymentStatus] },
  };
}

export function orderJson(view: OrderView) {
  const o = view.order;
  return {
    ...statuses(o),
    connectorId: `${o.chargePointId}-${o.ocppConnectorId}`,
    connectorType: o.connectorType,
    vehicle: { type: o.vehicleType, model: o.vehicleModel, make: o.vehicleMake },
    validity: validity(o),
    ...(view.telemetry ? { chargingTelemetry: telemetryJson(view.telemetry) } : {}),
  };
}

function telemetryJson(t: Telemetry) {
  const metrics: Array<{ name: string; value: number; unitCode: string }> = [];
  if (t.stateOfCharge !== null) metrics.push({ name: 'STATE_OF_CHARGE', value: t.stateOfCharge, unitCode: 'PERCENTAGE' });
  if (t.powerKw !== null) metrics.push({ name: 'POWER', value: Number(t.powerKw), unitCode: 'KW' });
  metrics.push({ name: 'ENERGY', value: Number(t.energyKwh), unitCode: 'KWH' });
  if (t.voltageV !== null) metrics.push({ name: 'VOLTAGE', value: round1(t.voltageV), unitCode: 'VLT' });
  if (t.currentA !== null) metrics.push({ name: 'CURRENT', value: round1(t.currentA), unitCode: 'AMP' });
  metrics.push({ name: 'SESSION_DURATION', value: Number(t.sessionMinutes), unitCode: 'min' });
  return { eventTime: t.eventTime.toISOString(), metrics };
}

export const startJson = (o: ChargingOrderRow) => statuses(o);

export function stopJson(o: ChargingOrderRow, lines: PriceComponent[]) {
  return { ...statuses(o), validity: validity(o), price_components: components(lines, o.status === 'completed') };
}

export function cancellationQuoteJson(c: Cancellation) {
  const lines = c.terms.components.filter((l) => l.kind !== 'refund');
  return { ...statuses(c.order), validity: validity(c.order), price_components: components(lines, false, true) };
}

export function cancellationJson(c: Cancellation) {
  const lines = c.terms.components.filter((l) => l.kind !== 'paid');
  return { ...statuses(c.order), price_components: components(lines, false, true) };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** "30.00" → "30", "12.50" → "12.5". */
function trimPercent(p: string): string {
  return p.includes('.') ? p.replace(/0+$/, '').replace(/\.$/, '') : p;
}
