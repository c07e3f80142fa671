import type { Database, Db } from '../db/database.ts';
import type { TransactionRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as orderSettlement from '../charging-orders/order-settlement.ts';
import * as chargingProfileService from '../charging-profiles/charging-profile.service.ts';
import * as idTagService from '../id-tags/id-tag.service.ts';
import type { IdTagVerdict } from '../id-tags/id-tag.rules.ts';
import { summarizeReadings, toMeterReadings, type LiveReadings, type ReportedReading } from '../meter-values/meter-sample.ts';
import * as meterValueRepository from '../meter-values/meter-value.repository.ts';
import * as reservationService from '../reservations/reservation.service.ts';
import * as transactionRepository from './transaction.repository.ts';

export interface StartInput {
  chargePointId: string;
  connectorId: number;
  idTag: string;
  meterStart: number;
  timestamp: Date;
  reservationId: number | null;
}

export interface StartResult {
  transactionId: number;
  idTag: IdTagVerdict;
  /** false when this was a resend of a start we already recorded. */
  created: boolean;
}

/**
 * Records a transaction the charger started. The energy is real whatever we think of the id tag, so
 * an unknown or blocked tag is recorded too; the verdict goes back in idTagInfo and the charger
 * decides (per its StopTransactionOnInvalidId setting) whether to stop.
 */
export async function start(db: Database, input: StartInput, now: Date): Promise<StartResult> {
  return db.transaction().execute(async (tx) => {
    const verdict = await idTagService.authorize(tx, input.idTag, now);
    const { row, created } = await transactionRepository.insertOrFindSame(tx, {
      chargePointId: input.chargePointId,
      connectorId: input.connectorId,
      idTag: input.idTag,
      meterStart: input.meterStart,
      startTimestamp: input.timestamp,
      reservationId: input.reservationId,
      idTagStatus: verdict.status,
    });
    if (created) {
      await reservationService.useFor(tx, {
        chargePointId: input.chargePointId,
        connectorId: input.connectorId,
        idTag: input.idTag,
        parentIdTag: verdict.parentIdTag,
        reservationId: input.reservationId,
        transactionId: row.id,
      });
      // A driver's order waiting on this id tag now owns the session.
      await orderSettlement.transactionStarted(tx, row);
      return { transactionId: row.id, idTag: verdict, created };
    }
    // A resend: answer what we answered the first time, not ConcurrentTx with itself.
    const again = await idTagService.authorize(tx, input.idTag, now, { exceptTransactionId: row.id });
    return { transactionId: row.id, idTag: again, created };
  });
}

export interface StopInput {
  chargePointId: string;
  transactionId: number;
  meterStop: number;
  timestamp: Date;
  idTag: string | null;
  reason: string;
  transactionData: ReportedReading[];
  /** The request as received, kept verbatim when it cannot be applied. */
  raw: unknown;
}

export type StopOutcome = 'stopped' | 'resent' | 'unknown_transaction' | 'already_stopped';

export interface StopResult {
  outcome: StopOutcome;
  idTag: IdTagVerdict | null;
}

/**
 * Closes a transaction with the charger's final reading. A stop we cannot apply (unknown id, or a
 * transaction already closed differently) is accepted and recorded for an operator to reconcile:
 * answering an error would make the charger resend it forever.
 */
export async function stop(db: Database, input: StopInput, now: Date): Promise<StopResult> {
  return db.transaction().execute(async (tx) => {
    const verdict = input.idTag ? await idTagService.authorize(tx, input.idTag, now, { ignoreConcurrency: true }) : null;
    const existing = await transactionRepository.findByIdForUpdate(tx, input.chargePointId, input.transactionId);
    const readings = toMeterReadings(
      input.chargePointId,
      existing?.connectorId ?? 0,
      existing ? existing.id : null,
      input.transactionData,
    );

    if (existing && existing.stopTimestamp === null) {
      const stopped = await transactionRepository.markStopped(tx, existing.id, {
        meterStop: input.meterStop,
        stopTimestamp: input.timestamp,
        stopReason: input.reason,
        stopIdTag: input.idTag,
      });
      await meterValueRepository.insertMany(tx, readings);
      // Bills the order this session belongs to, if any, from what the charger metered.
      await orderSettlement.transactionStopped(tx, stopped);
      await chargingProfileService.transactionEnded(tx, input.chargePointId, existing.id);
      return { outcome: 'stopped', idTag: verdict };
    }
    if (existing && isSameStop(existing, input)) return { outcome: 'resent', idTag: verdict };

    const kind = existing ? 'already_stopped' : 'unknown_transaction';
    await transactionRepository.insertStopAnomaly(tx, {
      chargePointId: input.chargePointId,
      transactionId: input.transactionId,
      kind,
      idTag: input.idTag,
      meterStop: input.meterStop,
      stopTimestamp: input.timestamp,
      reason: input.reason,
      payload: input.raw,
    });
    // The readings are real energy even when we cannot place them: keep them, unlinked.
    await meterValueRepository.insertMany(
      tx,
      readings.map((r) => ({ ...r, transactionId: null })),
    );
    return { outcome: kind, idTag: verdict };
  });
}

function isSameStop(row: TransactionRow, input: StopInput): boolean {
  return row.meterStop === input.meterStop && row.stopTimestamp?.getTime() === input.timestamp.getTime();
}

export function get(db: Db, id: number): Promise<TransactionRow | undefined> {
  return transactionRepository.findById(db, id);
}

export function findActive(db: Db, chargePointId: string, connectorId?: number): Promise<TransactionRow[]> {
  return transactionRepository.findActive(db, chargePointId, connectorId);
}

/** Energy, power, current, voltage and SoC of a transaction, from its latest meter values. */
export async function liveReadings(db: Db, transactionId: number): Promise<LiveReadings> {
  return summarizeReadings(await meterValueRepository.latestForTransaction(db, transactionId));
}

export const listMeterValues = meterValueRepository.listForTransaction;
export const listStopAnomalies = transactionRepository.listStopAnomalies;
export const list = transactionRepository.list;
export type { TransactionFilter } from './transaction.repository.ts';

export async function getOrThrow(db: Db, id: number): Promise<TransactionRow> {
  const row = await transactionRepository.findById(db, id);
  if (!row) throw new AppError('NOT_FOUND', `transaction ${id} does not exist`);
  return row;
}
