import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from '../locations/location.repository.ts';

/**
 * What of a CPO's network is not live yet.
 *
 * - A location is pending until an eMSP administrator approves it, which publishes it
 *   (`location.publish`); locations arrive unpublished from the CSV import and the webhooks.
 * - An EVSE is pending until its charger (the charge point whose OCPP identity is `evse.uid`) has sent
 *   a BootNotification at least once (`charge_point.last_boot_at` set): nothing for an administrator to
 *   approve, the charger proves itself by connecting.
 */
export interface PendingCounts {
  pendingLocations: number;
  pendingEvses: number;
}

export function countsFor(db: Db, cpoOwnerId: number): Promise<PendingCounts> {
  return locationRepository.countPending(db, cpoOwnerId);
}

export type PendingFilter = locationRepository.PendingFilter;

/** Pending locations of every CPO (or one), oldest first, for the administrators' approval queue. */
export function listPendingLocations(db: Db, filter: PendingFilter) {
  return locationRepository.listPendingLocations(db, filter);
}

/** EVSEs whose charger has not booted yet, oldest first. */
export function listPendingEvses(db: Db, filter: PendingFilter) {
  return locationRepository.listPendingEvses(db, filter);
}

/** Approves (publishes) a location. Idempotent: approving a published location changes nothing but its date. */
export async function approveLocation(db: Db, locationId: number, at = new Date()) {
  const location = await locationRepository.publishLocation(db, locationId, at);
  if (!location) throw new AppError('NOT_FOUND', `location ${locationId} not found`);
  return location;
}
