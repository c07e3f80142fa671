import type { Database } from '../db/database.ts';
import type { ChargingOrderRow, PaymentRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { dec } from '../money/decimal-money.ts';
import type { PaymentProvider } from '../payments/payment-provider.ts';
import * as paymentService from '../payments/payment.service.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import { loadFor, wrongState } from './order-access.ts';
import type { OrderClient, OrderDeps } from './order-deps.ts';
import * as orderRepository from './order.repository.ts';

export interface PaymentView {
  order: ChargingOrderRow;
  payment: PaymentRow;
  methods: string[];
}

/**
 * Opens (or finds again) the payment of a quoted order at the gateway and hands back where to pay.
 * The order becomes ACTIVE with payment PENDING; it is PAID only when the gateway's signed webhook
 * says so (applyWebhook). Retrying returns the same intent.
 */
export async function initiate(
  db: Database,
  deps: OrderDeps,
  client: OrderClient,
  orderId: string,
  request: { method?: string | undefined },
): Promise<PaymentView> {
  const now = deps.now();
  const order = await loadFor(db, client, orderId);
  const tariff = order.tariff as Tariff;
  const methods = tariff.paymentMethods;
  const existing = await paymentService.findLiveForOrder(db, order.id);
  // A retry of a payment already under way (or done) answers it again; a cancelled or completed order is refused below.
  if (existing && order.status === 'active') return { order, payment: existing, methods };
  if (order.status !== 'quoted' && !(order.status === 'active' && ['not_paid', 'pending', 'failed'].includes(order.paymentStatus))) {
    throw wrongState(order, 'it cannot be paid for');
  }
  if (order.status === 'quoted' && now.getTime() > order.createdAt.getTime() + deps.orders.quoteTtlS * 1000) {
    throw wrongState(order, 'the estimate has expired; ask for a new one');
  }
  if (now >= order.validUntil) throw wrongState(order, `its window ended at ${order.validUntil.toISOString()}`);
  if (request.method !== undefined && !methods.includes(request.method)) {
    throw new AppError('UNPROCESSABLE', `payment_method must be one of ${methods.join(', ')}`, { accepted: methods });
  }
  if (!deps.payments) throw new AppError('UNAVAILABLE', 'No payment gateway is configured on this platform.');

  const payment = await paymentService.openIntent(db, deps.payments, {
    orderId: order.id,
    amount: order.quotedAmount,
    currency: order.currency,
    ...(request.method !== undefined ? { method: request.method } : {}),
    description: `EV charging ${order.energyKwh} kWh at ${order.chargePointId}`,
    expiresAt: order.validUntil,
  });
  const updated = await orderRepository.updateIf(db, order.id, { status: ['quoted', 'active'] }, {
    status: 'active',
    paymentStatus: payment.status === 'paid' ? 'paid' : 'pending',
  });
  if (!updated) throw wrongState(await loadFor(db, client, orderId), 'it cannot be paid for');
  return { order: updated, payment, methods };
}

/**
 * The gateway's webhook: verified (HMAC), recorded once, then applied to the order in the same
 * transaction. A payment that succeeds after its order was cancelled is refunded in full.
 */
export async function applyWebhook(
  db: Database,
  deps: OrderDeps,
  log: Logger,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
): Promise<{ orderId: string | undefined; changed: boolean }> {
  const provider = deps.payments;
  if (!provider) throw new AppError('UNAVAILABLE', 'No payment gateway is configured on this platform.');
  const event = provider.parseWebhook(headers, rawBody);
  let rejected: AppError | undefined;
  const result = await db.transaction().execute(async (tx) => {
    let applied: Awaited<ReturnType<typeof paymentService.applyWebhookEvent>>;
    try {
      applied = await paymentService.applyWebhookEvent(tx, provider.name, event, JSON.parse(rawBody));
    } catch (err) {
      // An event that contradicts the payment (another amount) stays recorded for an operator: commit, then refuse.
      if (!(err instanceof AppError) || err.code !== 'VALIDATION_FAILED') throw err;
      rejected = err;
      return { orderId: undefined, changed: false };
    }
    const payment = applied.payment;
    if (!payment || !applied.changed) return { orderId: payment?.orderId, changed: false };
    const order = await orderRepository.findByIdForUpdate(tx, payment.orderId);
    if (!order) return { orderId: payment.orderId, changed: false };
    if (payment.status === 'paid' && order.status === 'active') {
      await orderRepository.updateIf(tx, order.id, { status: ['active'] }, { paymentStatus: 'paid' });
    } else if (payment.status === 'paid') {
      // Paid too late (the order was cancelled or expired meanwhile): the whole amount goes back.
      await orderRepository.updateIf(tx, order.id, {}, { refundDue: payment.amount });
    } else if (payment.status === 'failed' && order.status === 'active') {
      await orderRepository.updateIf(tx, order.id, { status: ['active'], paymentStatus: ['pending', 'not_paid'] }, { paymentStatus: 'failed' });
    }
    return { orderId: order.id, changed: true };
  });
  if (rejected) throw rejected;
  if (result.changed && result.orderId) await refundDue(db, provider, log, result.orderId);
  return result;
}

/**
 * Asks the gateway for what the order owes back (`refund_due`), once per reason. Called after the
 * state change that created the debt has committed; the maintenance sweep retries what failed.
 */
export async function refundDue(db: Database, provider: PaymentProvider | undefined, log: Logger, orderId: string): Promise<void> {
  const order = await orderRepository.findById(db, orderId);
  if (!order || !provider || order.refundDue === null || !dec(order.refundDue).gt(0)) return;
  const reason = order.status === 'completed' ? 'settlement' : order.status === 'cancelled' && order.cancelledAt ? refundReasonOfCancel(order) : 'late_payment';
  try {
    await paymentService.refund(db, provider, { orderId, amount: order.refundDue, reason });
    if (order.status === 'cancelled' && order.paymentStatus === 'paid' && dec(order.refundDue).eq(order.quotedAmount)) {
      await orderRepository.updateIf(db, orderId, { status: ['cancelled'] }, { paymentStatus: 'refunded' });
    }
  } catch (err) {
    log.warn({ err, orderId }, 'refund failed; the maintenance sweep retries it');
  }
}

function refundReasonOfCancel(order: ChargingOrderRow): 'cancellation' | 'late_payment' {
  return order.paymentStatus === 'paid' ? 'cancellation' : 'late_payment';
}

/** Refunds owed but never recorded (the gateway was down, the node stopped): tried again, oldest first. */
export async function retryRefunds(db: Database, provider: PaymentProvider | undefined, log: Logger): Promise<number> {
  if (!provider) return 0;
  const owing = await orderRepository.owingRefund(db, 50);
  for (const orderId of owing) await refundDue(db, provider, log, orderId);
  return owing.length;
}
