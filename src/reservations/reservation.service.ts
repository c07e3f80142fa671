import type { Db } from '../db/database.ts';
import type { ReservationRow, ReservationStatus } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as reservationRepository from './reservation.repository.ts';

// A reservation lives as: requested (sent) → reserved (charger Accepted) or rejected (any other answer)
// → used (a transaction started on it) | cancelled (CancelReservation accepted) | expired (past expiry).

export interface ReservationRequest {
  chargePointId: string;
  connectorId: number;
  idTag: string;
  parentIdTag: string | null;
  expiryDate: Date;
  /** The charger's reservationId; allocated when absent. */
  reservationId?: number;
}

export async function open(db: Db, request: ReservationRequest, now: Date): Promise<ReservationRow> {
  if (request.expiryDate <= now) throw new AppError('VALIDATION_FAILED', 'expiryDate must be in the future');
  const id = request.reservationId ?? (await reservationRepository.nextId(db));
  if (await reservationRepository.findById(db, id)) {
    throw new AppError('CONFLICT', `reservation ${id} already exists`);
  }
  return reservationRepository.insert(db, {
    id,
    chargePointId: request.chargePointId,
    connectorId: request.connectorId,
    idTag: request.idTag,
    parentIdTag: request.parentIdTag,
    expiryDate: request.expiryDate,
  });
}

/** Records the charger's answer to ReserveNow. */
export function answered(db: Db, id: number, answer: string): Promise<ReservationRow | undefined> {
  return reservationRepository.setStatus(db, id, answer === 'Accepted' ? 'reserved' : 'rejected', { chargerAnswer: answer }, ['requested']);
}

/** The ReserveNow never reached the charger or went unanswered. */
export function failed(db: Db, id: number, reason: string): Promise<ReservationRow | undefined> {
  return reservationRepository.setStatus(db, id, 'rejected', { chargerAnswer: reason }, ['requested']);
}

export function cancelled(db: Db, id: number): Promise<ReservationRow | undefined> {
  return reservationRepository.setStatus(db, id, 'cancelled', {}, ['reserved', 'requested']);
}

/** A transaction started: the reservation it names, or an open one for the same tag on that connector, is used. */
export async function useFor(
  db: Db,
  start: { chargePointId: string; connectorId: number; idTag: string; parentIdTag: string | null; reservationId: number | null; transactionId: number },
): Promise<ReservationRow | undefined> {
  const reservation = start.reservationId
    ? await reservationRepository.findById(db, start.reservationId)
    : await reservationRepository.findOpenFor(db, start.chargePointId, start.connectorId, start.idTag, start.parentIdTag);
  if (!reservation || reservation.chargePointId !== start.chargePointId) return undefined;
  return reservationRepository.setStatus(db, reservation.id, 'used', { transactionId: start.transactionId }, ['reserved', 'requested']);
}

export const expireDue = reservationRepository.expireDue;
export const allocateId = reservationRepository.nextId;

export function list(db: Db, chargePointId: string, status?: ReservationStatus): Promise<ReservationRow[]> {
  return reservationRepository.list(db, chargePointId, status);
}

export const get = reservationRepository.findById;
