import { randomBytes } from 'node:crypto';
import * as commandService from '../commands/command.service.ts';
import type { Database } from '../db/database.ts';
import type { ChargingOrderRow } from '../db/schema.ts';
import { AppError, isAppError } from '../errors.ts';
import * as idTagRepository from '../id-tags/id-tag.repository.ts';
import { loadFor, wrongState } from './order-access.ts';
import type { OrderClient, OrderDeps } from './order-deps.ts';
import * as orderRepository from './order.repository.ts';

/** A start the charger accepted but never followed with StartTransaction (no car plugged in) may be retried after this. */
const STALE_START_MS = 120_000;
/** How early before its booked window a reservation may start charging. */
const EARLY_START_MS = 15 * 60_000;
const POLL_MS = 100;

/**
 * Sends RemoteStartTransaction for a paid order. The order's charging becomes ACTIVE only when the
 * charger's StartTransaction arrives (order-settlement.ts); this waits a little for it so the usual
 * answer is already ACTIVE. A charger that refuses, times out or is offline leaves the order startable.
 * Repeating the call while a start is under way sends nothing more.
 */
export async function start(db: Database, deps: OrderDeps, client: OrderClient, orderId: string): Promise<ChargingOrderRow> {
  const now = deps.now();
  let order = await loadFor(db, client, orderId);
  if (order.status === 'active' && order.paymentStatus === 'paid' && ['starting', 'active'].includes(order.chargingStatus)) {
    const stale = order.chargingStatus === 'starting' && order.updatedAt.getTime() < now.getTime() - STALE_START_MS;
    if (!stale) return order;
  }
  if (order.status !== 'active' || order.paymentStatus !== 'paid') throw wrongState(order, 'only a paid, active order can start charging');
  if (!['idle', 'starting'].includes(order.chargingStatus)) throw wrongState(order, 'charging was started already');
  if (now >= order.validUntil) throw wrongState(order, `its window ended at ${order.validUntil.toISOString()}`);
  if (now.getTime() < order.validFrom.getTime() - EARLY_START_MS) {
    throw wrongState(order, `its window starts at ${order.validFrom.toISOString()}`);
  }

  const idTag = order.idTag ?? orderIdTag();
  const claimed = await db.transaction().execute(async (tx) => {
    const row = await orderRepository.updateIf(tx, order.id, {
      status: ['active'],
      paymentStatus: ['paid'],
      chargingStatus: order.chargingStatus === 'starting' ? ['starting'] : ['idle'],
      ...(order.chargingStatus === 'starting' ? { updatedBefore: new Date(now.getTime() - STALE_START_MS) } : {}),
    }, { chargingStatus: 'starting', idTag });
    // The order's own id tag, valid for its window: the charger Authorizes it, then starts with it.
    if (row) await idTagRepository.upsert(tx, { idTag, status: 'Accepted', expiryDate: order.validUntil, parentIdTag: null });
    return row;
  });
  // Someone else's call claimed the start meanwhile: theirs goes on, this one reports it.
  if (!claimed) return loadFor(db, client, orderId);
  order = claimed;

  try {
    const outcome = await commandService.execute(db, deps.gateway, order.chargePointId, 'RemoteStartTransaction', {
      connectorId: order.ocppConnectorId,
      idTag,
    }, { requestedBy: `order:${order.id}` });
    if (outcome.response.status !== 'Accepted') {
      throw new AppError('CHARGER_REJECTED', 'The charger refused to start charging; the order can be started again.', {
        order_id: order.id,
      });
    }
  } catch (err) {
    await orderRepository.updateIf(db, order.id, { chargingStatus: ['starting'] }, { chargingStatus: 'idle' });
    throw chargerProblem(err, order.id);
  }
  return waitFor(db, deps, client, order.id, (o) => o.chargingStatus !== 'starting');
}

/**
 * Sends RemoteStopTransaction for the order's session. The order COMPLETES (and is billed) when the
 * charger's StopTransaction arrives; this waits a little for it. Repeating the call on a stopping or
 * completed order answers its state and sends nothing.
 */
export async function stop(
  db: Database,
  deps: OrderDeps,
  client: OrderClient,
  orderId: string,
  request: { reasonCode?: string | undefined; message?: string | undefined },
): Promise<ChargingOrderRow> {
  const order = await loadFor(db, client, orderId);
  if (order.status === 'completed') return order;
  if (order.status === 'active' && order.chargingStatus === 'stopping') {
    return waitFor(db, deps, client, order.id, (o) => o.status !== 'active');
  }
  if (order.status !== 'active' || order.chargingStatus !== 'active' || order.transactionId === null) {
    throw wrongState(order, 'only a session that is charging can be stopped');
  }
  const reason = [request.reasonCode, request.message].filter(Boolean).join(': ') || 'Stopped by the driver';
  const claimed = await orderRepository.updateIf(db, order.id, { status: ['active'], chargingStatus: ['active'] }, {
    chargingStatus: 'stopping',
    stopReason: reason.slice(0, 500),
  });
  if (!claimed) return stop(db, deps, client, orderId, request);

  try {
    const outcome = await commandService.execute(db, deps.gateway, order.chargePointId, 'RemoteStopTransaction', {
      transactionId: order.transactionId,
    }, { requestedBy: `order:${order.id}` });
    if (outcome.response.status !== 'Accepted') {
      throw new AppError('CHARGER_REJECTED', 'The charger refused to stop the session.', { order_id: order.id });
    }
  } catch (err) {
    await orderRepository.updateIf(db, order.id, { chargingStatus: ['stopping'] }, { chargingStatus: 'active', stopReason: null });
    throw chargerProblem(err, order.id);
  }
  return waitFor(db, deps, client, order.id, (o) => o.status !== 'active');
}

/** The order once `done` holds, or as it is when ORDER_COMMAND_WAIT_MS runs out. */
async function waitFor(db: Database, deps: OrderDeps, client: OrderClient, orderId: string, done: (o: ChargingOrderRow) => boolean) {
  const deadline = Date.now() + deps.orders.commandWaitMs;
  for (;;) {
    const order = await loadFor(db, client, orderId);
    if (done(order) || Date.now() >= deadline) return order;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** A charger that could not do it now is a conflict with the order's state as far as the driver app is concerned. */
function chargerProblem(err: unknown, orderId: string): unknown {
  if (!isAppError(err) || !err.code.startsWith('CHARGER_')) return err;
  return new AppError('CONFLICT', err.message, { order_id: orderId, reason: err.code });
}

/** 20 characters at most (OCPP idTag), unguessable: "O" + 19 base32 characters. */
function orderIdTag(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return `O${[...randomBytes(19)].map((b) => alphabet[b % 32]).join('')}`;
}
