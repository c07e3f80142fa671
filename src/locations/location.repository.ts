import { sql, type Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ConnectorTable, CpoOwnerTable, EvseTable, LocationTable } from '../db/schema.ts';
import { textArray } from '../db/array-literal.ts';

export function findCpoOwnerByParty(db: Db, countryCode: string, partyId: string) {
  return db
    .selectFrom('cpoOwner')
    .selectAll()
    .where('countryCode', '=', countryCode)
    .where('partyId', '=', partyId)
    .executeTakeFirst();
}

export function insertCpoOwner(db: Db, row: Insertable<CpoOwnerTable>) {
  return db.insertInto('cpoOwner').values(row).returningAll().executeTakeFirstOrThrow();
}

export function insertLocation(db: Db, row: Insertable<LocationTable>) {
  return db.insertInto('location').values(row).returningAll().executeTakeFirstOrThrow();
}

export function insertEvse(db: Db, row: Insertable<EvseTable>) {
  return db.insertInto('evse').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function insertConnectors(db: Db, rows: Insertable<ConnectorTable>[]) {
  if (rows.length === 0) return [];
  return db.insertInto('connector').values(rows).returningAll().execute();
}

export function findEvseByUid(db: Db, uid: string) {
  return db.selectFrom('evse').selectAll().where('uid', '=', uid).executeTakeFirst();
}

export function findLocation(db: Db, id: number) {
  return db.selectFrom('location').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Connector specs of the EVSEs whose uid is one of the given charger ids. */
export function connectorsForEvseUids(db: Db, uids: readonly string[]) {
  if (uids.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('connector')
    .innerJoin('evse', 'evse.id', 'connector.evseId')
    .select([
      'evse.uid as evseUid',
      'connector.connectorId',
      'connector.standard',
      'connector.format',
      'connector.powerType',
      'connector.maxVoltage',
      'connector.maxAmperage',
      'connector.maxElectricPower',
    ])
    .where('evse.uid', 'in', uids)
    .orderBy('evse.uid')
    .orderBy('connector.connectorId')
    .execute();
}

// --- CPO accounts (ocpi accounts/photos/pending routes): ownership, approval, pending counts, cities ---

/** The location if it belongs to `cpoOwnerId`, locked until the transaction ends (serialises photo uploads). */
export function lockLocationOfOwner(db: Db, id: number, cpoOwnerId: number) {
  return db
    .selectFrom('location')
    .select(['id', 'cpoOwnerId', 'publish'])
    .where('id', '=', id)
    .where('cpoOwnerId', '=', cpoOwnerId)
    .forUpdate()
    .executeTakeFirst();
}

/** Locations waiting for an eMSP administrator's approval (publish = false). */
function pendingLocationsWhere(db: Db) {
  return db.selectFrom('location').where('location.publish', '=', false);
}

/** EVSEs whose charger (charge_point.id = evse.uid) has never booted: the pending EVSEs. */
function pendingEvsesWhere(db: Db) {
  return db
    .selectFrom('evse')
    .innerJoin('location', 'location.id', 'evse.locationId')
    .leftJoin('chargePoint', 'chargePoint.id', 'evse.uid')
    .where('chargePoint.lastBootAt', 'is', null);
}

export async function countPending(db: Db, cpoOwnerId: number): Promise<{ pendingLocations: number; pendingEvses: number }> {
  const locations = await pendingLocationsWhere(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('location.cpoOwnerId', '=', cpoOwnerId)
    .executeTakeFirstOrThrow();
  const evses = await pendingEvsesWhere(db)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('location.cpoOwnerId', '=', cpoOwnerId)
    .executeTakeFirstOrThrow();
  return { pendingLocations: Number(locations.n), pendingEvses: Number(evses.n) };
}

export interface PendingFilter {
  cpoOwnerId?: number | undefined;
  limit: number;
  offset: number;
}

export function listPendingLocations(db: Db, filter: PendingFilter) {
  return pendingLocationsWhere(db)
    .innerJoin('cpoOwner', 'cpoOwner.id', 'location.cpoOwnerId')
    .select((eb) => [
      'location.id',
      'location.cpoOwnerId',
      'cpoOwner.name as cpoOwnerName',
      'cpoOwner.countryCode',
      'cpoOwner.partyId',
      'location.name',
      'location.address',
      'location.city',
      'location.province',
      'location.dateCreated',
      eb
        .selectFrom('evse')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('evse.locationId', '=', 'location.id')
        .as('evseCount'),
    ])
    .$if(filter.cpoOwnerId !== undefined, (qb) => qb.where('location.cpoOwnerId', '=', filter.cpoOwnerId!))
    .orderBy('location.dateCreated')
    .orderBy('location.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

export function listPendingEvses(db: Db, filter: PendingFilter) {
  return pendingEvsesWhere(db)
    .select([
      'evse.id',
      'evse.uid',
      'evse.evseId',
      'evse.locationId',
      'location.name as locationName',
      'location.cpoOwnerId',
      'evse.dateCreated',
    ])
    // a charge_point row exists: provisioned, but it has not booted yet
    .select((eb) => eb('chargePoint.id', 'is not', null).as('registered'))
    .$if(filter.cpoOwnerId !== undefined, (qb) => qb.where('location.cpoOwnerId', '=', filter.cpoOwnerId!))
    .orderBy('evse.dateCreated')
    .orderBy('evse.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

/** Approves (publishes) a location; undefined when there is none with that id. */
export function publishLocation(db: Db, id: number, at: Date) {
  return db
    .updateTable('location')
    .set({ publish: true, dateModified: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Distinct cities (case-insensitively, spaces trimmed) of the published locations in a province (case-insensitive), sorted. */
export async function citiesInProvince(db: Db, province: string): Promise<string[]> {
  const rows = await db
    .selectFrom('location')
    // one spelling per city, the same on every server: capitals first ("C" collation)
    .select(sql<string>`min(btrim(${sql.ref('city')}) collate "C")`.as('city'))
    .where('publish', '=', true)
    .where((eb) => eb(eb.fn('lower', ['province']), '=', eb.fn('lower', [eb.val(province)])))
    .where((eb) => eb(eb.fn('btrim', ['city']), '<>', ''))
    .groupBy((eb) => eb.fn('lower', [eb.fn('btrim', ['city'])]))
    .orderBy((eb) => eb.fn('lower', [eb.fn('btrim', ['city'])]))
    .execute();
  return rows.map((r) => r.city);
}

// ---- CPO locations: webhooks and CSV import (location.service) ----

/** Rows per statement for bulk inserts: far below PostgreSQL's 65,535 bind parameters at any width used here. */
const INSERT_CHUNK = 2000;

async function insertChunked<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await insert(rows.slice(i, i + INSERT_CHUNK));
}

export function findCpoOwner(db: Db, id: number) {
  return db.selectFrom('cpoOwner').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findCpoOwnerByTokenCHash(db: Db, tokenCHash: string) {
  return db.selectFrom('cpoOwner').selectAll().where('tokenCHash', '=', tokenCHash).executeTakeFirst();
}

export type ReferenceKind = 'connectorType' | 'facility' | 'capability' | 'paymentType' | 'parkingType' | 'parkingRestriction';

/** Every code of the (small) reference tables. */
export async function listReferenceCodes(db: Db): Promise<Array<{ kind: ReferenceKind; id: number; code: string }>> {
  const kinds: ReferenceKind[] = ['connectorType', 'facility', 'capability', 'paymentType', 'parkingType', 'parkingRestriction'];
  const [first, ...rest] = kinds.map((kind) => db.selectFrom(kind).select([sql.lit(kind).as('kind'), 'id', 'code']));
  const query = rest.reduce((q, next) => q.unionAll(next), first!);
  return (await query.execute()) as Array<{ kind: ReferenceKind; id: number; code: string }>;
}

export function findLocationOfOwner(db: Db, id: number, cpoOwnerId: number) {
  return db.selectFrom('location').selectAll().where('id', '=', id).where('cpoOwnerId', '=', cpoOwnerId).executeTakeFirst();
}

/**
 * Which of `uids` are taken: an EVSE has it, or a charger with that OCPP identity is registered
 * (a charger that only connected while unknown, registration status Pending, does not count).
 */
export async function findTakenUids(db: Db, uids: readonly string[]): Promise<string[]> {
  if (uids.length === 0) return [];
  // One array parameter, and one probe of each unique index per uid: scalar subqueries, which are not
  // turned into joins. As EXISTS, the planner hashed whole tables (they fill up within the import's
  // transaction, unknown to its statistics): a scan per check, growing with the import.
  const { rows } = await sql<{ uid: string }>`
    with candidate as (select distinct uid from unnest(${textArray(uids)}::text::text[]) as u(uid))
    select c.uid from candidate c
    where (select true from evse e where e.uid = c.uid)
       or (select true from charge_point cp where cp.id = c.uid and cp.registration_status <> 'Pending')`.execute(db);
  return rows.map((r) => r.uid);
}

/** Takes `count` ids from the location identity sequence, so rows can be inserted with known ids. */
export async function allocateLocationIds(db: Db, count: number): Promise<number[]> {
  if (count === 0) return [];
  const { rows } = await sql<{ id: number }>`
    select nextval(pg_get_serial_sequence('location', 'id'))::int8 as id from generate_series(1, ${count}::int)`.execute(db);
  return rows.map((r) => Number(r.id));
}

/** Locations with ids from allocateLocationIds. */
export async function insertLocations(db: Db, rows: ReadonlyArray<Insertable<LocationTable> & { id: number }>): Promise<void> {
  await insertChunked(rows, (chunk) => db.insertInto('location').values(chunk).execute());
}

export async function insertEvses(db: Db, rows: ReadonlyArray<Insertable<EvseTable>>): Promise<Array<{ id: number; uid: string }>> {
  const out: Array<{ id: number; uid: string }> = [];
  await insertChunked(rows, async (chunk) => out.push(...(await db.insertInto('evse').values(chunk).returning(['id', 'uid']).execute())));
  return out;
}

/**
 * These bulk inserts (the webhooks' writes) pass one array per column (`insert … select from unnest(…)`):
 * a fixed, small statement whatever the number of rows, where a multi-row VALUES list has a parameter
 * per cell for the client to build and the server to parse.
 */
const column = <R, K extends keyof R>(rows: readonly R[], key: K) => rows.map((r) => r[key] ?? null);

export async function insertConnectorRows(db: Db, rows: ReadonlyArray<Insertable<ConnectorTable>>): Promise<void> {
  await insertChunked(rows, (chunk) => sql`
    insert into connector (evse_id, connector_id, standard, format, power_type, max_voltage, max_amperage, max_electric_power, connector_type, rate_setting)
    select * from unnest(
      ${column(chunk, 'evseId')}::int8[], ${column(chunk, 'connectorId')}::int4[], ${column(chunk, 'standard')}::text[],
      ${column(chunk, 'format')}::text[], ${column(chunk, 'powerType')}::text[], ${column(chunk, 'maxVoltage')}::int4[],
      ${column(chunk, 'maxAmperage')}::int4[], ${column(chunk, 'maxElectricPower')}::int4[], ${column(chunk, 'connectorType')}::text[],
      ${column(chunk, 'rateSetting')}::numeric[])`.execute(db));
}

export interface LocationLinks {
  facilities: Array<{ locationId: number; facilityId: number }>;
  parkingTypes: Array<{ locationId: number; parkingTypeId: number }>;
  parkingRestrictions: Array<{ locationId: number; parkingRestrictionId: number }>;
}

export async function insertLocationLinks(db: Db, links: LocationLinks): Promise<void> {
  await insertChunked(links.facilities, (chunk) => db.insertInto('locationFacility').values(chunk).execute());
  await insertChunked(links.parkingTypes, (chunk) => db.insertInto('locationParkingType').values(chunk).execute());
  await insertChunked(links.parkingRestrictions, (chunk) => db.insertInto('locationParkingRestriction').values(chunk).execute());
}

export interface EvseLinks {
  capabilities: Array<{ evseId: number; capabilityId: number }>;
  paymentTypes: Array<{ evseId: number; paymentTypeId: number }>;
}

export async function insertEvseLinks(db: Db, links: EvseLinks): Promise<void> {
  await insertChunked(links.capabilities, (chunk) => sql`
    insert into evse_capability (evse_id, capability_id)
    select * from unnest(${column(chunk, 'evseId')}::int8[], ${column(chunk, 'capabilityId')}::int4[])`.execute(db));
  await insertChunked(links.paymentTypes, (chunk) => sql`
    insert into evse_payment_type (evse_id, payment_type_id)
    select * from unnest(${column(chunk, 'evseId')}::int8[], ${column(chunk, 'paymentTypeId')}::int4[])`.execute(db));
}
