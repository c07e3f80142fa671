import { randomUUID } from 'node:crypto';
import * as cpoService from '../cpo/cpo.service.ts';
import type { Database } from '../db/database.ts';
import type { ChargingOrderRow, PaymentRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as paymentService from '../payments/payment.service.ts';
import type { PriceComponent } from '../tariffs/pricing.ts';
import * as transactionService from '../transactions/transaction.service.ts';
import { loadFor, wrongState } from './order-access.ts';
import type { OrderClient, OrderDeps } from './order-deps.ts';
import { minutesBetween, thousandths } from './order-units.ts';
import * as orderRepository from './order.repository.ts';

export { estimate, type Estimate, type EstimateInput } from './order-quote.service.ts';
export { initiate as initiatePayment, applyWebhook as applyPaymentWebhook, refundDue, type PaymentView } from './order-payment.service.ts';
export { start, stop } from './order-charging.service.ts';
export { quote as cancellationQuote, cancel, cancellationOf, type Cancellation } from './order-cancel.service.ts';

/** Live readings of the order's session, units as the driver sees them. */
export interface Telemetry {
  eventTime: Date;
  /** Percent, when the car reports it. */
  stateOfCharge: number | null;
  powerKw: string | null;
  /** Delivered so far in this session (register − meterStart). */
  energyKwh: string;
  voltageV: number | null;
  currentA: number | null;
  /** Since the charger's StartTransaction (to its stop, once stopped). */
  sessionMinutes: string;
}

export interface OrderView {
  order: ChargingOrderRow;
  payment: PaymentRow | undefined;
  telemetry: Telemetry | undefined;
}

export async function get(db: Database, deps: OrderDeps, client: OrderClient, orderId: string): Promise<OrderView> {
  const order = await loadFor(db, client, orderId);
  const [payment, telemetry] = await Promise.all([paymentService.findLiveForOrder(db, order.id), telemetryOf(db, deps, order)]);
  return { order, payment, telemetry };
}

/** The quote's lines until the session is billed, then the final lines. */
export function priceComponentsOf(order: ChargingOrderRow): PriceComponent[] {
  return ((order.finalComponents ?? order.quote) as PriceComponent[]) ?? [];
}

async function telemetryOf(db: Database, deps: OrderDeps, order: ChargingOrderRow): Promise<Telemetry | undefined> {
  if (order.transactionId === null) return undefined;
  const [transaction, readings] = await Promise.all([
    transactionService.get(db, order.transactionId),
    transactionService.liveReadings(db, order.transactionId),
  ]);
  if (!transaction) return undefined;
  const end = transaction.stopTimestamp ?? deps.now();
  const registerWh = transaction.meterStop ?? (readings.energyWh !== null ? Math.round(readings.energyWh) : transaction.meterStart);
  return {
    eventTime: readings.sampledAt ?? transaction.stopTimestamp ?? transaction.startTimestamp,
    stateOfCharge: readings.socPercent,
    powerKw: readings.powerW !== null ? thousandths(Math.round(readings.powerW)) : null,
    energyKwh: thousandths(Math.max(0, registerWh - transaction.meterStart)),
    voltageV: readings.voltageV,
    currentA: readings.currentA,
    sessionMinutes: minutesBetween(transaction.startTimestamp, end),
  };
}

export interface RatingInput {
  value: number;
  comments?: string | undefined;
  tags?: string[] | undefined;
}

/** 1–5 and feedback, once per completed order; it counts towards the connector's rating in search. */
export async function rate(db: Database, client: OrderClient, orderId: string, input: RatingInput): Promise<{ order: ChargingOrderRow; submissionId: string }> {
  if (!Number.isInteger(input.value) || input.value < 1 || input.value > 5) {
    throw new AppError('UNPROCESSABLE', 'value must be an integer from 1 to 5');
  }
  const order = await loadFor(db, client, orderId);
  if (order.status !== 'completed') throw wrongState(order, 'only a completed order can be rated');
  const submissionId = `feedback-${randomUUID()}`;
  const tags = [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))];
  const inserted = await orderRepository.insertRating(db, {
    orderId: order.id,
    connectorId: order.connectorId,
    value: input.value,
    comments: input.comments?.trim() || null,
    tags,
    submissionId,
  });
  if (!inserted) throw new AppError('CONFLICT', 'This order has been rated already.', { order_id: order.id });
  return { order, submissionId };
}

/** Who the driver can reach about this order: the CPO's support details, else the platform's. */
export async function support(db: Database, deps: OrderDeps, client: OrderClient, orderId: string) {
  const order = await loadFor(db, client, orderId);
  const own = await cpoService.supportFor(db, order.cpoOwnerId);
  const details = own ?? { ...deps.support, url: deps.support.url ?? null, channels: ['phone', 'email'] as const };
  return { order, support: details };
}
