import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

// Reads of the GraphQL map layer (everything but the geo search, which is geo.repository.ts). The
// `…By…Ids` functions take a batch of keys, as DataLoaders call them: one query per batch.

export type MapLocation = Awaited<ReturnType<typeof findLocationsByIds>>[number];
export type MapEvse = Awaited<ReturnType<typeof evsesByLocationIds>>[number];
export type MapConnector = Awaited<ReturnType<typeof connectorsByEvseIds>>[number];
export interface MapReference { ownerId: number; id: number; code: string; description: string }

const LOCATION_COLUMNS = [
  'location.id', 'location.cpoOwnerId', 'location.name', 'location.address', 'location.addressLat', 'location.addressLng',
  'location.city', 'location.province', 'location.region', 'location.postalCode', 'location.countryCode', 'location.publish',
  'location.dateCreated', 'location.dateModified',
] as const;

export function findLocationsByIds(db: Db, ids: readonly number[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('location').select(LOCATION_COLUMNS).where('location.id', 'in', ids).execute();
}

/** A page of locations by id; `cpoOwnerId` limits it to one CPO's. */
export function listLocations(db: Db, filter: { cpoOwnerId?: number | undefined; limit: number; offset: number }) {
  return db
    .selectFrom('location')
    .select(LOCATION_COLUMNS)
    .$if(filter.cpoOwnerId !== undefined, (qb) => qb.where('location.cpoOwnerId', '=', filter.cpoOwnerId!))
    .orderBy('location.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

/** EVSEs with their charger's connection state and connector 0 (whole charger) status. */
function evseQuery(db: Db) {
  return db
    .selectFrom('evse')
    .leftJoin('chargePoint', 'chargePoint.id', 'evse.uid')
    .leftJoin('connectorStatus as whole', (join) => join.onRef('whole.chargePointId', '=', 'evse.uid').on('whole.connectorId', '=', 0))
    .select([
      'evse.id', 'evse.uid', 'evse.evseId', 'evse.locationId', 'evse.serialNumber', 'evse.meterType', 'evse.dateCreated',
      'chargePoint.online', 'chargePoint.serverId', 'chargePoint.wsConnectionId', 'whole.status as chargerOcppStatus',
    ]);
}

export function evsesByLocationIds(db: Db, locationIds: readonly number[]) {
  if (locationIds.length === 0) return Promise.resolve([]);
  return evseQuery(db).where('evse.locationId', 'in', locationIds).orderBy('evse.id').execute();
}

export type EvseOrder = 'location' | 'date_created';

/** LIKE pattern matching `text` anywhere, its own % _ \ taken literally. */
const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function listEvses(
  db: Db,
  filter: { cpoOwnerId?: number | undefined; locationName?: string | undefined; orderBy: EvseOrder; order: 'asc' | 'desc'; limit: number; offset: number },
) {
  return evseQuery(db)
    .leftJoin('location', 'location.id', 'evse.locationId')
    .$if(filter.cpoOwnerId !== undefined, (qb) => qb.where('location.cpoOwnerId', '=', filter.cpoOwnerId!))
    .$if(filter.locationName !== undefined, (qb) => qb.where('location.name', 'ilike', containsPattern(filter.locationName!)))
    .$if(filter.orderBy === 'location', (qb) => qb.orderBy('location.name', filter.order).orderBy('location.id', filter.order))
    .$if(filter.orderBy === 'date_created', (qb) => qb.orderBy('evse.dateCreated', filter.order))
    .orderBy('evse.id', filter.order)
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

/** Connectors 1..n with their charger's last reported status and whether the charger is online. */
export function connectorsByEvseIds(db: Db, evseIds: readonly number[]) {
  if (evseIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('connector')
    .innerJoin('evse', 'evse.id', 'connector.evseId')
    .leftJoin('chargePoint', 'chargePoint.id', 'evse.uid')
    .leftJoin('connectorStatus', (join) =>
      join.onRef('connectorStatus.chargePointId', '=', 'evse.uid').onRef('connectorStatus.connectorId', '=', 'connector.connectorId'))
    .select([
      'connector.id', 'connector.evseId', 'evse.uid as evseUid', 'connector.connectorId', 'connector.standard', 'connector.format',
      'connector.powerType', 'connector.maxVoltage', 'connector.maxAmperage', 'connector.maxElectricPower', 'connector.connectorType',
      'connector.rateSetting', 'connector.dateCreated', 'connector.dateModified',
      'connectorStatus.status as ocppStatus', 'chargePoint.online',
    ])
    .where('connector.evseId', 'in', evseIds)
    .orderBy('connector.evseId')
    .orderBy('connector.connectorId')
    .execute();
}

export function photosByLocationIds(db: Db, locationIds: readonly number[]) {
  if (locationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('locationPhoto')
    .select(['locationId', 'fileName'])
    .where('locationId', 'in', locationIds)
    .orderBy('locationId')
    .orderBy('id')
    .execute();
}

export type LocationReferenceKind = 'facility' | 'parkingType' | 'parkingRestriction';
export type EvseReferenceKind = 'capability' | 'paymentType';

// The join table, its owner and reference columns, and the reference table of each list: constants, never input.
const LINKS = {
  facility: ['location_facility', 'location_id', 'facility_id', 'facility'],
  parkingType: ['location_parking_type', 'location_id', 'parking_type_id', 'parking_type'],
  parkingRestriction: ['location_parking_restriction', 'location_id', 'parking_restriction_id', 'parking_restriction'],
  capability: ['evse_capability', 'evse_id', 'capability_id', 'capability'],
  paymentType: ['evse_payment_type', 'evse_id', 'payment_type_id', 'payment_type'],
} as const satisfies Record<LocationReferenceKind | EvseReferenceKind, readonly [string, string, string, string]>;

/** The reference codes linked to each owner (location or EVSE id), ordered by owner and reference id. */
export async function referencesByOwnerIds(
  db: Db,
  kind: LocationReferenceKind | EvseReferenceKind,
  ownerIds: readonly number[],
): Promise<MapReference[]> {
  if (ownerIds.length === 0) return [];
  const [link, ownerColumn, refColumn, table] = LINKS[kind];
  // Raw SQL: the five joins differ only in names, which kysely's types cannot take as values.
  // CamelCasePlugin turns the snake_case result columns into ownerId etc.
  const { rows } = await sql<MapReference>`
    select l.${sql.ref(ownerColumn)} as owner_id, r.id, r.code, r.description
    from ${sql.table(link)} l join ${sql.table(table)} r on r.id = l.${sql.ref(refColumn)}
    where l.${sql.ref(ownerColumn)} in (${sql.join(ownerIds)})
    order by l.${sql.ref(ownerColumn)}, r.id`.execute(db);
  return rows.map((r) => ({ ...r, ownerId: Number(r.ownerId) }));
}

export type FilterKind = 'facility' | 'capability' | 'paymentType' | 'parkingType' | 'parkingRestriction' | 'connectorType';

/** Every code of the reference lists the finders filter by, to validate filter arguments. */
export async function referenceCodes(db: Db): Promise<Record<FilterKind, string[]>> {
  const { rows } = await sql<{ kind: FilterKind; code: string }>`
    select 'facility' as kind, code from facility
    union all select 'capability', code from capability
    union all select 'paymentType', code from payment_type
    union all select 'parkingType', code from parking_type
    union all select 'parkingRestriction', code from parking_restriction
    union all select 'connectorType', code from connector_type`.execute(db);
  const out: Record<FilterKind, string[]> = { facility: [], capability: [], paymentType: [], parkingType: [], parkingRestriction: [], connectorType: [] };
  for (const r of rows) out[r.kind].push(r.code);
  return out;
}

/** Which of `ids` are locations a caller may follow: (publishedOnly) published ones, (cpoOwnerId) that CPO's. */
export async function visibleLocationIds(
  db: Db,
  ids: readonly number[],
  scope: { cpoOwnerId?: number | undefined; publishedOnly: boolean },
): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('location')
    .select('id')
    .where('id', 'in', ids)
    .$if(scope.cpoOwnerId !== undefined, (qb) => qb.where('cpoOwnerId', '=', scope.cpoOwnerId!))
    .$if(scope.publishedOnly, (qb) => qb.where('publish', '=', true))
    .execute();
  return rows.map((r) => r.id);
}
