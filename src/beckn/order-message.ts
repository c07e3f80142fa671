import type { Cancellation } from '../charging-orders/order-cancel.service.ts';
import type { Estimate } from '../charging-orders/order-quote.service.ts';
import type { OrderView, Telemetry } from '../charging-orders/order.service.ts';
import type { ChargingOrderRow, PaymentRow } from '../db/schema.ts';
import { minorDigits } from '../money/currency.ts';
import { dec } from '../money/decimal-money.ts';
import { cancellationTerms, type CancellationTerms, type PriceComponent } from '../tariffs/pricing.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import * as codes from './beckn-codes.ts';
import {
  cancellationTermsOf, chargingPointTags, fulfillmentIdOf, formatItemId, gpsOf, locationIdOf, plainDecimal,
  type BecknObject, type BecknPrice, type ConnectorSpec,
} from './catalog-message.ts';
import type { BecknBilling, BecknCustomer } from './intent-order.ts';
import { orderSessionTags } from './session-message.ts';

// The Beckn Order of on_select … on_cancel, built from our order row. The quote is the estimate's
// lines until the session is billed, then the bill; a cancelled order's quote is what flows back
// (negative, as the DENT on_cancel examples show it) with the cancellation fee in its breakup.

export interface OrderMessageInput {
  order: ChargingOrderRow;
  /** The CPO: "CC*PARTY" and its name. */
  provider: { id: string; name?: string | undefined };
  payment?: PaymentRow | undefined;
  /** Live readings: sent as the session details tag group. */
  telemetry?: Telemetry | undefined;
  /** Echoed as the BAP sent them in init. */
  billing?: BecknBilling | undefined;
  customer?: BecknCustomer | undefined;
  /** The connector's specifications and coordinates, for the fulfillment's tags and start stop. */
  connector?: (ConnectorSpec & { lat?: number | undefined; lng?: number | undefined }) | undefined;
  /** The estimate's lines (defaults to the quote stored on the order). */
  components?: PriceComponent[] | undefined;
  /** The cancellation's terms (defaults to the tariff's terms on what was paid). */
  cancellation?: CancellationTerms | undefined;
  cancelledBy?: typeof codes.CANCELLED_BY_CONSUMER | typeof codes.CANCELLED_BY_PROVIDER | undefined;
  termsUrl?: string | undefined;
}

type Extra = Omit<OrderMessageInput, 'order' | 'provider'>;

/** Where the order stands, as a fulfillment state code. */
export function fulfillmentStateOf(order: ChargingOrderRow): codes.FulfillmentStateCode {
  const S = codes.FulfillmentState;
  if (order.status === 'cancelled') return S.cancelled;
  if (order.status === 'completed' || order.chargingStatus === 'completed') return S.chargingEnded;
  if (order.chargingStatus === 'starting') return S.chargingStarting;
  if (order.chargingStatus === 'active') return S.chargingStarted;
  if (order.chargingStatus === 'stopping') return S.chargingStopping;
  return order.paymentStatus === 'paid' ? S.paymentCompleted : S.orderInitiated;
}

export const itemIdOf = (order: ChargingOrderRow): string =>
  formatItemId(`${order.chargePointId}-${order.ocppConnectorId}`, order.tariffId ?? (order.tariff as Tariff).id);

const isPaid = (order: ChargingOrderRow): boolean => order.paymentStatus === 'paid' || order.paymentStatus === 'refunded';
const money = (value: string, currency: string): BecknPrice => ({ value: dec(value).toFixed(minorDigits(currency)), currency });
const energy = (kwh: string) => ({ measure: { value: dec(kwh).toString(), unit: codes.UNIT_KWH } });
const iso = (d: Date | null | undefined): string | undefined => (d ? d.toISOString() : undefined);

function isUrl(s: string | null | undefined): s is string {
  if (!s) return false;
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}

/** The Order object of an on_* message. */
export function buildOrder(input: OrderMessageInput): BecknObject {
  const { order } = input;
  const tariff = order.tariff as Tariff;
  const result: BecknObject = { id: order.id };
  if (order.status !== 'quoted') result.status = codes.ORDER_STATUS[order.status];
  result.provider = input.provider.name ? { id: input.provider.id, descriptor: { name: input.provider.name } } : { id: input.provider.id };
  result.items = [itemOf(order, tariff, input.telemetry)];
  result.fulfillments = [fulfillmentOf(input)];
  const { quote, refund } = quoteOf(input);
  result.quote = quote;
  if (input.billing && Object.keys(input.billing).length > 0) result.billing = { ...input.billing };
  result.payments = [paymentOf(order, input.payment)];
  if (order.status === 'quoted' || order.status === 'active') result.cancellation_terms = cancellationTermsOf(tariff.cancellationFeePercent, input.termsUrl);
  if (order.status === 'cancelled') result.cancellation = cancellationOf(order, input.cancelledBy);
  if (refund && dec(refund.value).sign > 0) result.refund_terms = [{ refund_eligible: true, refund_amount: refund }];
  if (input.telemetry) result.tags = [orderSessionTags(order, input.telemetry)];
  result.created_at = order.createdAt.toISOString();
  result.updated_at = order.updatedAt.toISOString();
  return result;
}

export const buildOrderMessage = (input: OrderMessageInput): { order: BecknObject } => ({ order: buildOrder(input) });

/** on_select / on_init of an estimate (its lines are the quote). */
export const orderOfEstimate = (e: Estimate, provider: OrderMessageInput['provider'], extra: Extra = {}) =>
  buildOrderMessage({ components: e.components, ...extra, order: e.order, provider });

/** on_confirm / on_update / on_status of an order as the order service shows it. */
export const orderOfView = (view: OrderView, provider: OrderMessageInput['provider'], extra: Extra = {}) =>
  buildOrderMessage({ payment: view.payment, telemetry: view.telemetry, ...extra, order: view.order, provider });

/** on_cancel, whether the BAP asked or the platform cancelled (cancelledBy PROVIDER). */
export const orderOfCancellation = (c: Cancellation, provider: OrderMessageInput['provider'], extra: Extra = {}) =>
  buildOrderMessage({ cancellation: c.terms, ...extra, order: c.order, provider });

function itemOf(order: ChargingOrderRow, tariff: Tariff, telemetry: Telemetry | undefined): BecknObject {
  const delivered = order.energyDeliveredKwh ?? telemetry?.energyKwh;
  const quantity: BecknObject = { selected: energy(order.energyKwh) };
  if (delivered !== undefined) quantity.allocated = energy(delivered);
  return {
    id: itemIdOf(order),
    descriptor: { code: codes.ITEM_CODE_ENERGY, name: tariff.name },
    price: { value: plainDecimal(tariff.energyPrice), currency: tariff.currency },
    quantity,
    category_ids: [order.connectorType.toUpperCase()],
    location_ids: [locationIdOf(order.locationId)],
    fulfillment_ids: [fulfillmentIdOf(`${order.chargePointId}-${order.ocppConnectorId}`)],
  };
}

function fulfillmentOf(input: OrderMessageInput): BecknObject {
  const { order, connector, customer } = input;
  const code = fulfillmentStateOf(order);
  const start: BecknObject = { type: codes.STOP_START };
  if (connector?.lat !== undefined && connector.lng !== undefined) start.location = { gps: gpsOf(connector.lat, connector.lng) };
  const startTime: BecknObject = { range: { start: order.validFrom.toISOString(), end: order.validUntil.toISOString() } };
  if (order.chargingStartedAt) startTime.timestamp = order.chargingStartedAt.toISOString();
  start.time = startTime;
  if (code === codes.FulfillmentState.paymentCompleted) {
    start.instructions = {
      name: 'Charging instructions',
      short_desc: `Plug in at charger ${order.chargePointId}, connector ${order.ocppConnectorId}, then send update ${codes.UpdateCode.startCharging}.`,
    };
  }
  const endAt = order.completedAt ?? order.cancelledAt ?? order.validUntil;
  const fulfillment: BecknObject = {
    id: fulfillmentIdOf(`${order.chargePointId}-${order.ocppConnectorId}`),
    type: codes.FULFILLMENT_TYPE_CHARGING,
    state: { descriptor: { code, name: codes.FULFILLMENT_STATE_NAMES[code] }, updated_at: order.updatedAt.toISOString() },
    stops: [start, { type: codes.STOP_END, time: { timestamp: endAt.toISOString() } }],
  };
  if (customer && Object.keys(customer).length > 0) {
    const contact: BecknObject = {};
    if (customer.phone) contact.phone = customer.phone;
    if (customer.email) contact.email = customer.email;
    fulfillment.customer = { ...(customer.name ? { person: { name: customer.name } } : {}), ...(Object.keys(contact).length > 0 ? { contact } : {}) };
  }
  if (connector) fulfillment.tags = [chargingPointTags(connector)];
  return fulfillment;
}

function quoteOf(input: OrderMessageInput): { quote: BecknObject; refund?: BecknPrice } {
  const { order } = input;
  const currency = order.currency;
  const itemId = itemIdOf(order);
  const line = (c: PriceComponent, value = c.amount): BecknObject => {
    const entry: BecknObject = { title: c.description, price: money(value, c.currency) };
    if (c.kind === 'energy') entry.item = { id: itemId, quantity: { selected: energy(order.energyDeliveredKwh ?? order.energyKwh) } };
    return entry;
  };
  if (order.status === 'cancelled') {
    const terms = input.cancellation ?? cancellationTerms(order.tariff as Tariff, isPaid(order) ? order.quotedAmount : '0');
    // What was paid comes back less the fee: the lines add up to the (negative) refund.
    const breakup = terms.components.flatMap((c) =>
      c.kind === 'paid' ? [line({ ...c, description: 'Amount paid, credited back' }, dec(c.amount).neg().toString())]
        : c.kind === 'refund' ? [] : [line(c)]);
    const refund = money(terms.refund, currency);
    return { quote: { price: money(dec(terms.refund).neg().toString(), currency), breakup }, refund };
  }
  if (order.status === 'completed' && order.finalAmount !== null) {
    // The settlement's refund / extra charge lines are payments against the prepaid amount, not price.
    const lines = ((order.finalComponents ?? []) as PriceComponent[]).filter((c) => c.kind !== 'refund' && c.kind !== 'extra_charge');
    const quote = { price: money(order.finalAmount, currency), breakup: lines.map((c) => line(c)) };
    return order.refundDue !== null ? { quote, refund: money(order.refundDue, currency) } : { quote };
  }
  const lines = input.components ?? ((order.quote ?? []) as PriceComponent[]);
  return { quote: { price: money(order.quotedAmount, currency), breakup: lines.map((c) => line(c)) } };
}

function paymentOf(order: ChargingOrderRow, payment: PaymentRow | undefined): BecknObject {
  const params: BecknObject = { amount: money(payment?.amount ?? order.quotedAmount, order.currency).value, currency: payment?.currency ?? order.currency };
  if (payment?.intentId) params.transaction_id = payment.intentId;
  const result: BecknObject = {
    ...(payment ? { id: String(payment.id) } : {}),
    collected_by: codes.COLLECTED_BY_BPP,
    type: codes.PAYMENT_TYPE_PRE_ORDER,
    status: isPaid(order) ? codes.PAYMENT_PAID : codes.PAYMENT_NOT_PAID,
    params,
  };
  if (isUrl(payment?.paymentUrl)) result.url = payment.paymentUrl;
  const end = iso(payment?.expiresAt);
  if (payment && end) result.time = { range: { start: payment.createdAt.toISOString(), end } };
  return result;
}

function cancellationOf(order: ChargingOrderRow, cancelledBy: OrderMessageInput['cancelledBy']): BecknObject {
  const byProvider = order.cancelCode !== null && codes.PROVIDER_CANCEL_CODES.includes(order.cancelCode);
  const result: BecknObject = { cancelled_by: cancelledBy ?? (byProvider ? codes.CANCELLED_BY_PROVIDER : codes.CANCELLED_BY_CONSUMER) };
  if (order.cancelledAt) result.time = order.cancelledAt.toISOString();
  if (order.cancelCode || order.cancelReason) {
    const reason: BecknObject = {};
    if (order.cancelCode) reason.id = order.cancelCode;
    if (order.cancelReason) reason.descriptor = { short_desc: order.cancelReason };
    result.reason = reason;
  }
  return result;
}

/** message of on_support: who to reach about the order. */
export function buildOnSupportMessage(input: { orderId?: string | undefined; phone?: string | undefined; email?: string | undefined; url?: string | null | undefined }) {
  const support: BecknObject = {};
  if (input.orderId) support.ref_id = input.orderId;
  if (input.phone) support.phone = input.phone;
  if (input.email) support.email = input.email;
  if (isUrl(input.url)) support.url = input.url;
  return { support };
}

/** message of on_rating: an optional form for more feedback. */
export function buildOnRatingMessage(input: { formUrl?: string | undefined } = {}) {
  return isUrl(input.formUrl) ? { feedback_form: { form: { url: input.formUrl, mime_type: 'text/html' }, required: false } } : {};
}
