import type { Db } from '../db/database.ts';
import type { ChargingOrderRow, TransactionRow } from '../db/schema.ts';
import * as idTagRepository from '../id-tags/id-tag.repository.ts';
import { dec } from '../money/decimal-money.ts';
import { settle } from '../tariffs/pricing.ts';
import type { Tariff } from '../tariffs/tariff.ts';
import { minutesBetween, whToKwh } from './order-units.ts';
import * as orderRepository from './order.repository.ts';

// What the charger's own transaction messages do to an order. Called by the transaction service
// inside the same database transaction that records the StartTransaction / StopTransaction, so an
// order and its session can never disagree, whichever node the charger is connected to.

/** StartTransaction with an order's id tag: the order's charging is now ACTIVE. */
export async function transactionStarted(tx: Db, transaction: TransactionRow): Promise<ChargingOrderRow | undefined> {
  return orderRepository.linkTransaction(tx, transaction.idTag, transaction.id, transaction.startTimestamp);
}

/**
 * StopTransaction (asked for by the driver or not: EV full, unplugged, a fault): the order is
 * COMPLETED and billed from the energy the charger metered and the time it took. What was prepaid
 * beyond the bill becomes `refund_due`; what the bill exceeds it by is an extra charge line.
 */
export async function transactionStopped(tx: Db, transaction: TransactionRow): Promise<ChargingOrderRow | undefined> {
  const order = await orderRepository.findByTransactionForUpdate(tx, transaction.id);
  if (!order || order.status !== 'active' || transaction.stopTimestamp === null || transaction.meterStop === null) return undefined;
  const stoppedAt = transaction.stopTimestamp;
  const energyWh = Math.max(0, transaction.meterStop - transaction.meterStart);
  const idleSince = await idleSinceOf(tx, transaction);
  const settlement = settle(order.tariff as Tariff, {
    energyKwh: whToKwh(energyWh),
    minutes: minutesBetween(transaction.startTimestamp, stoppedAt),
    idleMinutes: idleSince ? minutesBetween(idleSince, stoppedAt) : '0',
    startAt: transaction.startTimestamp,
    reservation: order.mode === 'reservation',
  }, order.quotedAmount);
  const completed = await orderRepository.updateIf(tx, order.id, { status: ['active'] }, {
    status: 'completed',
    chargingStatus: 'completed',
    energyDeliveredKwh: whToKwh(energyWh),
    finalAmount: settlement.bill.total,
    finalComponents: JSON.stringify(settlement.components),
    refundDue: settlement.refund,
    completedAt: stoppedAt,
    stopReason: order.stopReason ?? transaction.stopReason,
  });
  // The order is over: its id tag must not start another session.
  if (order.idTag) await idTagRepository.setStatus(tx, order.idTag, 'Expired');
  return completed;
}

/**
 * When the energy register reached its final value: from then until the stop the car sat plugged
 * in without charging. None when the register kept rising to the stop (or was never sampled).
 */
async function idleSinceOf(tx: Db, transaction: TransactionRow): Promise<Date | undefined> {
  if (transaction.id === undefined || transaction.meterStop === null) return undefined;
  const plateau = await orderRepository.energyPlateau(tx, transaction.id);
  if (!plateau) return undefined;
  const plateauWh = plateau.unit === 'kWh' ? dec(plateau.value).mul(1000) : dec(plateau.value);
  return plateauWh.gte(transaction.meterStop) ? plateau.since : undefined;
}
