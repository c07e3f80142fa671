import type { Db } from '../db/database.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { OrderClient } from './order-deps.ts';
import * as orderRepository from './order.repository.ts';

/** The order if `client` may see it; NOT_FOUND otherwise (another client's order does not exist for it). */
export async function loadFor(db: Db, client: OrderClient, orderId: string, options: { forUpdate?: boolean } = {}): Promise<ChargingOrderRow> {
  const order = options.forUpdate ? await orderRepository.findByIdForUpdate(db, orderId) : await orderRepository.findById(db, orderId);
  if (!order || order.channel !== client.channel || (client.apiClientId !== null && order.apiClientId !== client.apiClientId)) {
    throw new AppError('NOT_FOUND', 'Order not found.', { order_id: orderId });
  }
  return order;
}

/** CONFLICT for a request the order's state does not allow, saying which state it is in. */
export function wrongState(order: ChargingOrderRow, what: string): AppError {
  return new AppError('CONFLICT', `Order is ${describe(order)}: ${what}`, {
    order_id: order.id,
    status: order.status,
    payment_status: order.paymentStatus,
    charging_status: order.chargingStatus,
  });
}

function describe(order: ChargingOrderRow): string {
  if (order.status === 'active') return `${order.status} (payment ${order.paymentStatus}, charging ${order.chargingStatus})`;
  return order.status;
}
