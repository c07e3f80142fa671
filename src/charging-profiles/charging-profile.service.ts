import type { ChargingProfile, ChargingSchedule } from '../commands/charger-commands.ts';
import type { Db } from '../db/database.ts';
import type { ChargingProfileRow, InstalledChargingProfileRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as chargingProfileRepository from './charging-profile.repository.ts';

export interface NamedProfileInput {
  name: string;
  purpose: ChargingProfile['chargingProfilePurpose'];
  stackLevel: number;
  kind: ChargingProfile['chargingProfileKind'];
  recurrencyKind: ChargingProfile['recurrencyKind'] | null;
  validFrom: Date | null;
  validTo: Date | null;
  schedule: ChargingSchedule;
}

export async function createNamed(db: Db, input: NamedProfileInput): Promise<ChargingProfileRow> {
  if (input.kind === 'Recurring' && !input.recurrencyKind) {
    throw new AppError('VALIDATION_FAILED', 'a Recurring profile needs recurrencyKind (Daily or Weekly)');
  }
  if (input.kind !== 'Recurring' && input.recurrencyKind) {
    throw new AppError('VALIDATION_FAILED', 'recurrencyKind applies to Recurring profiles only');
  }
  if (input.validFrom && input.validTo && input.validFrom >= input.validTo) {
    throw new AppError('VALIDATION_FAILED', 'validFrom must be before validTo');
  }
  const starts = input.schedule.chargingSchedulePeriod.map((p) => p.startPeriod);
  if (starts[0] !== 0 || starts.some((s, i) => i > 0 && s <= starts[i - 1]!)) {
    throw new AppError('VALIDATION_FAILED', 'schedule periods must start at 0 and be in increasing startPeriod order');
  }
  if (await chargingProfileRepository.findNamedByName(db, input.name)) {
    throw new AppError('CONFLICT', `a charging profile named ${input.name} already exists`);
  }
  return chargingProfileRepository.insertNamed(db, { ...input, schedule: JSON.stringify(input.schedule) });
}

export const listNamed = chargingProfileRepository.listNamed;

export async function getNamed(db: Db, id: number): Promise<ChargingProfileRow> {
  const row = await chargingProfileRepository.findNamed(db, id);
  if (!row) throw new AppError('NOT_FOUND', `charging profile ${id} does not exist`);
  return row;
}

/** The OCPP profile that installs a named profile; its id on the charger is the named profile's id. */
export function toChargerProfile(named: ChargingProfileRow, transactionId?: number): ChargingProfile {
  if (named.purpose === 'TxProfile' && transactionId === undefined) {
    throw new AppError('VALIDATION_FAILED', 'a TxProfile is installed for a running transaction: give transaction_id');
  }
  return {
    chargingProfileId: named.id,
    stackLevel: named.stackLevel,
    chargingProfilePurpose: named.purpose,
    chargingProfileKind: named.kind,
    ...(named.recurrencyKind ? { recurrencyKind: named.recurrencyKind } : {}),
    ...(named.validFrom ? { validFrom: named.validFrom.toISOString() } : {}),
    ...(named.validTo ? { validTo: named.validTo.toISOString() } : {}),
    ...(transactionId !== undefined ? { transactionId } : {}),
    chargingSchedule: named.schedule as ChargingSchedule,
  };
}

/** The charger accepted SetChargingProfile. */
export async function installed(db: Db, chargePointId: string, connectorId: number, profile: ChargingProfile): Promise<void> {
  const named = await chargingProfileRepository.findNamed(db, profile.chargingProfileId);
  await chargingProfileRepository.install(db, {
    chargePointId,
    chargingProfileId: profile.chargingProfileId,
    connectorId,
    purpose: profile.chargingProfilePurpose,
    stackLevel: profile.stackLevel,
    transactionId: profile.transactionId ?? null,
    profile,
    namedProfileId: named?.name && sameSchedule(named, profile) ? named.id : null,
  });
}

function sameSchedule(named: ChargingProfileRow, profile: ChargingProfile): boolean {
  return JSON.stringify(named.schedule) === JSON.stringify(profile.chargingSchedule) && named.purpose === profile.chargingProfilePurpose;
}

/** The charger accepted ClearChargingProfile with these criteria. */
export function cleared(db: Db, chargePointId: string, filter: chargingProfileRepository.ClearFilter): Promise<number> {
  return chargingProfileRepository.clear(db, chargePointId, filter);
}

/** OCPP 1.6: a TxProfile lives as long as its transaction. */
export function transactionEnded(db: Db, chargePointId: string, transactionId: number): Promise<number> {
  return chargingProfileRepository.clear(db, chargePointId, { purpose: 'TxProfile', transactionId });
}

export function listInstalled(db: Db, chargePointId: string): Promise<InstalledChargingProfileRow[]> {
  return chargingProfileRepository.listInstalled(db, chargePointId);
}
