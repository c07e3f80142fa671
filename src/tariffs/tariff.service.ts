import type { Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { TariffTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import {
  AMOUNT,
  checkCurrency,
  checkDecimal,
  checkTimeZone,
  END_OF_WINDOW,
  MAX_IDLE_GRACE_MINUTES,
  MAX_SURCHARGES,
  PAYMENT_METHODS,
  PERCENT,
  TIME_OF_DAY,
  UNIT_PRICE,
  type Checked,
  type DecimalInput,
  type DecimalRule,
  type SurchargeInput,
} from './tariff-input.ts';
import * as tariffRepository from './tariff.repository.ts';
import { tariffFromRow, type Surcharge, type Tariff, type TariffScope } from './tariff.ts';

/**
 * A CPO's tariffs. A tariff applies to the narrowest scope it names: one connector (of one charger),
 * one charger (EVSE, by its OCPP identity), one location, or none of them = every charger of the CPO.
 * Its row stores the ancestors of that scope too (connector → its EVSE and location), so finding the
 * tariff of a connector never joins upwards. Everything named must be the CPO's own (else NOT_FOUND).
 * A scope may have several active tariffs (offers a driver chooses between; see applicable-tariffs.ts).
 *
 * The scope never changes: orders quote a tariff by id and copy it, and a tariff that moved would make
 * those copies lie about where they applied. Deleting only deactivates, for the same reason.
 *
 * Money and percentages are exact decimals (tariff-input.ts checkDecimal): strings in, strings out, the
 * database's numeric columns doing the storage; nothing here ever turns one into a float.
 */

export interface TariffFields {
  name: string;
  currency: string;
  energyPrice?: DecimalInput | undefined;
  timePrice?: DecimalInput | undefined;
  sessionFee?: DecimalInput | undefined;
  reservationFee?: DecimalInput | undefined;
  idleFee?: DecimalInput | undefined;
  idleGraceMinutes?: number | undefined;
  taxPercent?: DecimalInput | undefined;
  discountPercent?: DecimalInput | undefined;
  discountDescription?: string | null | undefined;
  surcharges?: SurchargeInput[] | undefined;
  cancellationFeePercent?: DecimalInput | undefined;
  paymentMethods?: string[] | undefined;
  /** IANA; default UTC. */
  timeZone?: string | undefined;
}

/** Where a new tariff applies, in the CPO's own terms; connectorId is the OCPP number and needs evseUid. */
export interface TariffScopeInput {
  locationId?: number | undefined;
  evseUid?: string | undefined;
  connectorId?: number | undefined;
}

export type NewTariff = TariffFields & { scope?: TariffScopeInput | undefined };
export type TariffPatch = Partial<TariffFields>;

export interface TariffFilter {
  locationId?: number | undefined;
  evseUid?: string | undefined;
  includeInactive?: boolean | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
}

/** A tariff as its CPO manages it: the domain tariff, where it applies, and its lifecycle. */
export interface CpoTariff extends Tariff {
  scope: TariffScope & { evseUid: string | null; ocppConnectorId: number | null };
  active: boolean;
  dateCreated: Date;
  dateModified: Date;
}

export async function create(db: Db, cpoOwnerId: number, input: NewTariff): Promise<CpoTariff> {
  const columns = columnsOf(input, true);
  const id = await inTransaction(db, async (tx) => {
    const scope = await resolveScope(tx, cpoOwnerId, input.scope ?? {});
    const row = await tariffRepository.insert(tx, { ...columns, ...scope, cpoOwnerId, name: columns.name!, currency: columns.currency! });
    return row.id;
  });
  return get(db, cpoOwnerId, id);
}

/** Changes the given fields; the scope is fixed (see above). A deactivated tariff is history: CONFLICT. */
export async function update(db: Db, cpoOwnerId: number, id: number, patch: TariffPatch): Promise<CpoTariff> {
  const columns = columnsOf(patch, false);
  if (Object.keys(columns).length === 0) throw new AppError('VALIDATION_FAILED', 'nothing to change');
  await inTransaction(db, async (tx) => {
    const current = await tariffRepository.lockOfOwner(tx, cpoOwnerId, id);
    if (!current) throw notFound(id);
    if (!current.active) throw new AppError('CONFLICT', `tariff ${id} is deleted; create a new one`);
    await tariffRepository.update(tx, cpoOwnerId, id, { ...columns, dateModified: new Date() });
  });
  return get(db, cpoOwnerId, id);
}

/** The CPO's tariffs, oldest first; active ones unless includeInactive. An unknown evseUid lists nothing. */
export async function list(db: Db, cpoOwnerId: number, filter: TariffFilter = {}): Promise<CpoTariff[]> {
  let evseId: number | undefined;
  if (filter.evseUid !== undefined) {
    const evse = await tariffRepository.findEvseOfOwner(db, cpoOwnerId, filter.evseUid);
    if (!evse) return [];
    evseId = evse.id;
  }
  const rows = await tariffRepository.list(db, {
    cpoOwnerId,
    locationId: filter.locationId,
    evseId,
    includeInactive: filter.includeInactive ?? false,
    limit: Math.min(Math.max(filter.limit ?? 50, 1), 500),
    offset: Math.max(filter.offset ?? 0, 0),
  });
  return rows.map(cpoTariffFromRow);
}

/** One of the CPO's tariffs, active or not; NOT_FOUND for another CPO's. */
export async function get(db: Db, cpoOwnerId: number, id: number): Promise<CpoTariff> {
  const row = await tariffRepository.findOfOwner(db, cpoOwnerId, id);
  if (!row) throw notFound(id);
  return cpoTariffFromRow(row);
}

/** Soft delete: orders quoted with it keep their copy, and it stops applying to new ones. Idempotent. */
export async function deactivate(db: Db, cpoOwnerId: number, id: number): Promise<CpoTariff> {
  await inTransaction(db, async (tx) => {
    const current = await tariffRepository.lockOfOwner(tx, cpoOwnerId, id);
    if (!current) throw notFound(id);
    if (current.active) await tariffRepository.update(tx, cpoOwnerId, id, { active: false, dateModified: new Date() });
  });
  return get(db, cpoOwnerId, id);
}

/** Any CPO's tariff by id, active or not (for orders that name it). */
export async function getById(db: Db, id: number): Promise<Tariff | undefined> {
  const row = await tariffRepository.findById(db, id);
  return row ? tariffFromRow(row) : undefined;
}

function cpoTariffFromRow(row: tariffRepository.ScopedTariffRow): CpoTariff {
  return {
    ...tariffFromRow(row),
    scope: { locationId: row.locationId, evseId: row.evseId, connectorId: row.connectorId, evseUid: row.evseUid, ocppConnectorId: row.ocppConnectorId },
    active: row.active,
    dateCreated: row.dateCreated,
    dateModified: row.dateModified,
  };
}

async function resolveScope(db: Db, cpoOwnerId: number, input: TariffScopeInput): Promise<TariffScope> {
  const { locationId, evseUid, connectorId } = input;
  if (connectorId !== undefined && evseUid === undefined) throw new AppError('VALIDATION_FAILED', 'connector_id needs evse_uid (the charger the connector belongs to)');
  if (connectorId !== undefined && (!Number.isInteger(connectorId) || connectorId < 1)) throw new AppError('VALIDATION_FAILED', 'connector_id: connectors are numbered from 1');
  if (evseUid !== undefined) {
    const evse = await tariffRepository.findEvseOfOwner(db, cpoOwnerId, evseUid);
    if (!evse) throw new AppError('NOT_FOUND', `no charger ${JSON.stringify(evseUid)} among yours`);
    if (locationId !== undefined && locationId !== evse.locationId) {
      throw new AppError('VALIDATION_FAILED', `location_id: charger ${evseUid} is at location ${evse.locationId}, not ${locationId}`);
    }
    if (connectorId === undefined) return { locationId: evse.locationId, evseId: evse.id, connectorId: null };
    const connector = await tariffRepository.findConnector(db, evse.id, connectorId);
    if (!connector) throw new AppError('NOT_FOUND', `charger ${evseUid} has no connector ${connectorId}`);
    return { locationId: evse.locationId, evseId: evse.id, connectorId: connector.id };
  }
  if (locationId !== undefined) {
    if (!(await tariffRepository.findLocationOfOwner(db, cpoOwnerId, locationId))) throw new AppError('NOT_FOUND', `no location ${locationId} among yours`);
    return { locationId, evseId: null, connectorId: null };
  }
  return { locationId: null, evseId: null, connectorId: null };
}

const DECIMAL_COLUMNS: Array<[keyof TariffFields & keyof TariffTable, string, DecimalRule]> = [
  ['energyPrice', 'energy_price', UNIT_PRICE],
  ['timePrice', 'time_price', UNIT_PRICE],
  ['sessionFee', 'session_fee', AMOUNT],
  ['reservationFee', 'reservation_fee', AMOUNT],
  ['idleFee', 'idle_fee', UNIT_PRICE],
  ['taxPercent', 'tax_percent', PERCENT],
  ['discountPercent', 'discount_percent', PERCENT],
  ['cancellationFeePercent', 'cancellation_fee_percent', PERCENT],
];

/** The columns of the fields given, each checked (VALIDATION_FAILED naming the field in its API spelling). */
function columnsOf(fields: Partial<TariffFields>, creating: boolean): Updateable<TariffTable> {
  const out: Updateable<TariffTable> = {};
  const take = <T>(field: string, checked: Checked<T>): T => {
    if (!checked.ok) throw new AppError('VALIDATION_FAILED', `${field}: ${checked.message}`);
    return checked.value;
  };
  if (fields.name !== undefined || creating) {
    const name = (fields.name ?? '').trim();
    if (name.length < 1 || name.length > 120) throw new AppError('VALIDATION_FAILED', 'name: must be 1 to 120 characters');
    out.name = name;
  }
  if (fields.currency !== undefined || creating) out.currency = take('currency', checkCurrency(fields.currency ?? ''));
  for (const [key, field, rule] of DECIMAL_COLUMNS) {
    const value = fields[key];
    if (value !== undefined) (out as Record<string, unknown>)[key] = take(field, checkDecimal(value, rule));
  }
  if (fields.idleGraceMinutes !== undefined) {
    const m = fields.idleGraceMinutes;
    if (!Number.isInteger(m) || m < 0 || m > MAX_IDLE_GRACE_MINUTES) throw new AppError('VALIDATION_FAILED', `idle_grace_minutes: must be a whole number from 0 to ${MAX_IDLE_GRACE_MINUTES}`);
    out.idleGraceMinutes = m;
  }
  if (fields.discountDescription !== undefined) {
    const d = fields.discountDescription?.trim() || null;
    if (d !== null && d.length > 200) throw new AppError('VALIDATION_FAILED', 'discount_description: must be at most 200 characters');
    out.discountDescription = d;
  }
  if (fields.surcharges !== undefined) out.surcharges = JSON.stringify(checkSurcharges(fields.surcharges));
  if (fields.paymentMethods !== undefined) {
    const methods = fields.paymentMethods;
    const known: readonly string[] = PAYMENT_METHODS;
    if (methods.length === 0 || new Set(methods).size !== methods.length || !methods.every((m) => known.includes(m))) {
      throw new AppError('VALIDATION_FAILED', `payment_methods: must be distinct values among ${PAYMENT_METHODS.join(', ')}`);
    }
    out.paymentMethods = methods;
  }
  if (fields.timeZone !== undefined) out.timeZone = take('time_zone', checkTimeZone(fields.timeZone));
  return out;
}

function checkSurcharges(input: SurchargeInput[]): Surcharge[] {
  if (input.length > MAX_SURCHARGES) throw new AppError('VALIDATION_FAILED', `surcharges: at most ${MAX_SURCHARGES}`);
  return input.map((s, i) => {
    const at = `surcharges.${i}`;
    if (!TIME_OF_DAY.test(s.from) || !END_OF_WINDOW.test(s.to)) throw new AppError('VALIDATION_FAILED', `${at}: from and to must be times of day HH:MM (to may be 24:00)`);
    if (s.from === s.to) throw new AppError('VALIDATION_FAILED', `${at}: must end at another time than it starts`);
    const days = s.days;
    if (days !== undefined && (days.length === 0 || new Set(days).size !== days.length || !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7))) {
      throw new AppError('VALIDATION_FAILED', `${at}.days: distinct days 1 (Monday) to 7 (Sunday)`);
    }
    const percent = checkDecimal(s.percent, PERCENT);
    if (!percent.ok) throw new AppError('VALIDATION_FAILED', `${at}.percent: ${percent.message}`);
    const description = s.description?.trim();
    if (description !== undefined && description.length > 200) throw new AppError('VALIDATION_FAILED', `${at}.description: at most 200 characters`);
    return {
      from: s.from,
      to: s.to,
      ...(days !== undefined ? { days: [...days].sort((a, b) => a - b) } : {}),
      percent: percent.value,
      ...(description ? { description } : {}),
    };
  });
}

const notFound = (id: number) => new AppError('NOT_FOUND', `no tariff ${id} among yours`);

/** Runs `fn` in the caller's transaction when handed one (demo seeding), else in a new one. */
function inTransaction<T>(db: Db, fn: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}
