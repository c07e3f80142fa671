import type { RatingInput } from '../charging-orders/order.service.ts';
import * as codes from './beckn-codes.ts';
import { parseItemId, type ItemRef } from './catalog-message.ts';
import { BecknRequestError, decimal, invalid, list, need, obj, tagValues, text, type J } from './intent-read.ts';

// The order-phase requests (init, confirm, update, status, cancel, rating, support) as domain inputs.

export interface BecknBilling { name?: string; email?: string; phone?: string }
export interface BecknCustomer { name?: string; phone?: string; email?: string }

export interface OrderDetails {
  orderId?: string;
  providerId?: string;
  itemId?: string;
  item: ItemRef | null;
  billing?: BecknBilling;
  customer?: BecknCustomer;
  /** A payment method the BAP named (UPI, Card…), from a payment or order tag. */
  paymentMethod?: string;
  /** What the BAP says of the payment (confirm): informative only, the gateway's webhook decides. */
  payment?: { status?: string; amount?: string; currency?: string; transactionId?: string };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function billingOf(v: unknown, path: string): BecknBilling | undefined {
  const b = obj(v, path);
  if (!b) return undefined;
  const billing: BecknBilling = {};
  const name = text(b.name, `${path}.name`);
  const email = text(b.email, `${path}.email`);
  // The DENT examples spell the phone `number`.
  const phone = text(b.phone, `${path}.phone`) ?? text(b.number, `${path}.number`);
  if (email !== undefined && !EMAIL.test(email)) throw invalid(`${path}.email`, `${path}.email is not an email address`);
  if (name) billing.name = name;
  if (email) billing.email = email;
  if (phone) billing.phone = phone;
  return billing;
}

function customerOf(fulfillment: J | undefined, path: string): BecknCustomer | undefined {
  const customer = obj(fulfillment?.customer, `${path}.customer`);
  if (!customer) return undefined;
  const result: BecknCustomer = {};
  const name = text(obj(customer.person, `${path}.customer.person`)?.name, `${path}.customer.person.name`);
  const contact = obj(customer.contact, `${path}.customer.contact`);
  const phone = text(contact?.phone, `${path}.customer.contact.phone`);
  const email = text(contact?.email, `${path}.customer.contact.email`);
  if (name) result.name = name;
  if (phone) result.phone = phone;
  if (email) result.email = email;
  return result;
}

function orderDetailsOf(message: unknown): OrderDetails {
  const order = need(need(message, 'message').order, 'message.order');
  const itemId = text(obj(list(order.items, 'message.order.items')[0], 'message.order.items[0]')?.id, 'message.order.items[0].id');
  const fulfillment = obj(list(order.fulfillments, 'message.order.fulfillments')[0], 'message.order.fulfillments[0]');
  const payment = obj(list(order.payments, 'message.order.payments')[0], 'message.order.payments[0]');
  const details: OrderDetails = { item: itemId ? parseItemId(itemId) : null };
  const orderId = text(order.id, 'message.order.id');
  if (orderId) details.orderId = orderId;
  const provider = obj(order.provider, 'message.order.provider') ?? obj(order.providers, 'message.order.providers');
  const providerId = text(provider?.id, 'message.order.provider.id');
  if (providerId) details.providerId = providerId;
  if (itemId) details.itemId = itemId;
  const billing = billingOf(order.billing, 'message.order.billing');
  if (billing) details.billing = billing;
  const customer = customerOf(fulfillment, 'message.order.fulfillments[0]');
  if (customer) details.customer = customer;
  const method = [
    ...tagValues(payment?.tags, 'message.order.payments[0].tags', codes.INCOMING_PAYMENT_METHOD_TAG_CODES),
    ...tagValues(order.tags, 'message.order.tags', codes.INCOMING_PAYMENT_METHOD_TAG_CODES),
  ][0];
  if (method) details.paymentMethod = method.value;
  if (payment) {
    const params = obj(payment.params, 'message.order.payments[0].params');
    const info: NonNullable<OrderDetails['payment']> = {};
    const status = text(payment.status, 'message.order.payments[0].status');
    const amount = decimal(params?.amount, 'message.order.payments[0].params.amount');
    const currency = text(params?.currency, 'message.order.payments[0].params.currency');
    const transactionId = text(params?.transaction_id, 'message.order.payments[0].params.transaction_id');
    if (status) info.status = status;
    if (amount) info.amount = amount.toString();
    if (currency) info.currency = currency.toUpperCase();
    if (transactionId) info.transactionId = transactionId;
    details.payment = info;
  }
  return details;
}

/** message of init: who pays (billing), who charges (customer), how they want to pay. */
export const parseInit = (message: unknown): OrderDetails => orderDetailsOf(message);
/** message of confirm: the same shape as init, agreeing to the terms. */
export const parseConfirm = (message: unknown): OrderDetails => orderDetailsOf(message);

export interface UpdateRequest {
  orderId?: string;
  action: codes.UpdateAction;
  /** The state code as sent (start-charging, end-charging). */
  code: string;
  updateTarget?: string;
  fulfillmentId?: string;
}

/** message of update: start or end the charging (order.fulfillments[0].state.descriptor.code). */
export function parseUpdate(message: unknown): UpdateRequest {
  const m = need(message, 'message');
  const order = need(m.order, 'message.order');
  const path = 'message.order.fulfillments[0]';
  const fulfillment = obj(list(order.fulfillments, 'message.order.fulfillments')[0], path);
  const codePath = `${path}.state.descriptor.code`;
  const code = text(obj(obj(fulfillment?.state, `${path}.state`)?.descriptor, `${path}.state.descriptor`)?.code, codePath);
  const action = code ? codes.UPDATE_CODES[code.toLowerCase()] : undefined;
  if (!code || !action) {
    const known = Object.values(codes.UpdateCode).join(' or ');
    throw new BecknRequestError(codes.BecknErrorCode.invalidUpdateTarget, codePath, `update supports ${codePath} ${known} only`);
  }
  const request: UpdateRequest = { action, code };
  const orderId = text(order.id, 'message.order.id');
  if (orderId) request.orderId = orderId;
  const target = text(m.update_target, 'message.update_target');
  if (target) request.updateTarget = target;
  const fulfillmentId = text(fulfillment?.id, `${path}.id`);
  if (fulfillmentId) request.fulfillmentId = fulfillmentId;
  return request;
}

/** An order id given as a string, or (status.json's fault, some BAPs follow it) as an Order object. */
function idOf(v: unknown, path: string): string | undefined {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) return text((v as J).id, `${path}.id`);
  return text(v, path);
}

/** message of status: the order asked about (undefined: find it by transaction_id). */
export function parseStatus(message: unknown): { orderId?: string } {
  const m = need(message, 'message');
  const orderId = idOf(m.order_id, 'message.order_id') ?? idOf(m.ref_id, 'message.ref_id') ?? idOf(m.order, 'message.order');
  return orderId ? { orderId } : {};
}

export interface CancelRequest {
  orderId?: string;
  reasonId?: string;
  reason?: string;
  /** The order service's cancel request. */
  request: { reason?: string; code?: string };
}

/** message of cancel; core puts the fields on message, the DENT examples inside message.order. */
export function parseCancel(message: unknown): CancelRequest {
  const m = need(message, 'message');
  const order = obj(m.order, 'message.order');
  const orderId = idOf(m.order_id, 'message.order_id') ?? idOf(order?.order_id, 'message.order.order_id') ?? text(order?.id, 'message.order.id');
  const reasonId = text(m.cancellation_reason_id, 'message.cancellation_reason_id') ?? text(order?.cancellation_reason_id, 'message.order.cancellation_reason_id');
  const descriptorPath = m.descriptor !== undefined ? 'message.descriptor' : 'message.order.descriptor';
  const descriptor = obj(m.descriptor ?? order?.descriptor, descriptorPath);
  const reason = text(descriptor?.short_desc, `${descriptorPath}.short_desc`) ?? text(descriptor?.name, `${descriptorPath}.name`)
    ?? text(descriptor?.long_desc, `${descriptorPath}.long_desc`);
  const result: CancelRequest = { request: {} };
  if (orderId) result.orderId = orderId;
  if (reasonId) {
    result.reasonId = reasonId;
    result.request.code = reasonId;
  }
  if (reason) {
    result.reason = reason;
    result.request.reason = reason;
  }
  return result;
}

export interface BecknRatingRequest {
  /** What is rated: the order id in the DENT example (category "charger"). */
  id: string;
  category?: string;
  input: RatingInput;
}

/** message.ratings of rating; a value outside 1–5 is 30015. */
export function parseRating(message: unknown): BecknRatingRequest[] {
  const ratings = list(need(message, 'message').ratings, 'message.ratings');
  if (ratings.length === 0) throw invalid('message.ratings', 'message.ratings must list at least one rating');
  return ratings.map((r, i) => {
    const p = `message.ratings[${i}]`;
    const rating = need(r, p);
    const id = text(rating.id, `${p}.id`);
    if (!id) throw new BecknRequestError(codes.BecknErrorCode.rateEntityNotFound, `${p}.id`, `${p}.id is required`);
    const raw = text(rating.value, `${p}.value`);
    const value = raw !== undefined && /^\d+(\.0+)?$/.test(raw) ? Number.parseInt(raw, 10) : NaN;
    if (!(value >= 1 && value <= 5)) throw new BecknRequestError(codes.BecknErrorCode.invalidRatingValue, `${p}.value`, `${p}.value must be an integer from 1 to 5`);
    const input: RatingInput = { value };
    const comments = feedbackOf(rating.feedback, `${p}.feedback`);
    if (comments) input.comments = comments;
    const category = text(rating.rating_category, `${p}.rating_category`);
    return category ? { id, category, input } : { id, input };
  });
}

function feedbackOf(v: unknown, path: string): string | undefined {
  if (typeof v === 'string' || v === undefined || v === null) return text(v, path);
  const f = obj(v, path);
  return text(f?.comments, `${path}.comments`) ?? text(f?.description, `${path}.description`) ?? text(f?.feedback, `${path}.feedback`);
}

export interface SupportRequest { orderId?: string; phone?: string; email?: string; callbackPhone?: string }

/** message.support of support: the order (ref_id in core, order_id in the DENT example) and contacts. */
export function parseSupport(message: unknown): SupportRequest {
  const support = obj(need(message, 'message').support, 'message.support');
  const result: SupportRequest = {};
  const orderId = text(support?.ref_id, 'message.support.ref_id') ?? text(support?.order_id, 'message.support.order_id');
  const phone = text(support?.phone, 'message.support.phone');
  const email = text(support?.email, 'message.support.email');
  const callbackPhone = text(support?.callback_phone, 'message.support.callback_phone');
  if (orderId) result.orderId = orderId;
  if (phone) result.phone = phone;
  if (email) result.email = email;
  if (callbackPhone) result.callbackPhone = callbackPhone;
  return result;
}
