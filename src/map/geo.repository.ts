import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';

/** earthdistance's earth radius (earth() = 6378168 m); JS distances use it too, so both agree on a radius. */
export const EARTH_RADIUS_KM = 6378.168;

export interface LocationSearch {
  lat?: number;
  lng?: number;
  /** Only with lat/lng: locations within this many kilometres. */
  distanceKm?: number;
  /** Case-insensitive equality. */
  city?: string;
  province?: string;
  /** The location has all of them. */
  facilities?: string[];
  parkingTypes?: string[];
  parkingRestrictions?: string[];
  /** At least one EVSE of the location has all of them. */
  capabilities?: string[];
  paymentTypes?: string[];
  /** Every given type is on some connector of the location (its connector_type or its standard). */
  connectorTypes?: string[];
  cpoOwnerId?: number;
  publishedOnly: boolean;
  limit: number;
  offset: number;
}

export interface LocationHit {
  id: number;
  /** Great-circle distance from (lat, lng) in km, 3 decimals; null without a point. */
  distanceKm: number | null;
}

// Must stay textually identical to the indexed expression (migrations/2026-11-22T0300-geo-search.ts).
const locationPoint = sql`ll_to_earth(l.address_lat::float8, l.address_lng::float8)`;

const codesOf = (codes: string[] | undefined): string[] => [...new Set((codes ?? []).map((c) => c.trim().toUpperCase()))];

/** `table`'s rows for `ownerId` cover every one of `codes` (a join table keyed by owner id and reference id). */
function hasAll(joinTable: string, ownerColumn: string, ownerRef: RawBuilder<unknown>, refTable: string, refColumn: string, codes: string[]) {
  return sql<SqlBool>`(
    select count(*) from ${sql.table(joinTable)} j
     where j.${sql.raw(ownerColumn)} = ${ownerRef}
       and j.${sql.raw(refColumn)} in (select r.id from ${sql.table(refTable)} r where upper(r.code) in (${sql.join(codes)}))
  ) = ${codes.length}`;
}

/**
 * The ids of the locations matching `q`, one page of them: nearest first when a point is given (with
 * the distance), else by id. One SELECT; the radius test and the order go through location_earth_idx.
 *
 * EXPLAIN ANALYZE on PostgreSQL 15, 100,000 locations (bench-geo seed: ~19,000 inside the box around
 * Makati), radius 10 km, publishedOnly, one facility and one payment type, limit 50:
 * - planner's own choice: Bitmap Index Scan on location_earth_idx (Index Cond: point <@ earth_box)
 *   → Bitmap Heap Scan (Filter: publish, earth_distance <= r, SubPlans) → top-N Sort → Limit.
 *   The index is used, but every one of the 13,000 rows in the radius is filtered and sorted: ~250 ms.
 *   The planner cannot know better: cube's <@ has a fixed selectivity (0.1 %, "100 rows").
 * - with enable_bitmapscan off: Index Scan using location_earth_idx, Index Cond: point <@ earth_box,
 *   Order By: point <-> center (GiST KNN) → Limit: stops after the 50th match, ~9 ms; in a sparse area
 *   the box condition still bounds the scan. Hence the SET LOCAL below (the SELECT is unchanged), and
 *   no `l.id` tie-breaker after the distance: with one, PostgreSQL 15 falls back to a full sort.
 */
export async function findLocationsNear(db: Db, q: LocationSearch): Promise<LocationHit[]> {
  const query = locationsNearQuery(q);
  const knn = q.lat !== undefined && q.lng !== undefined && q.distanceKm !== undefined && !db.isTransaction;
  const { rows } = knn
    ? await db.transaction().execute(async (tx) => {
        await sql`set local enable_bitmapscan = off`.execute(tx);
        return query.execute(tx);
      })
    : await query.execute(db);
  return rows.map((r) => ({
    id: Number(r.id),
    distanceKm: r.distanceM === null ? null : Math.round(Number(r.distanceM)) / 1000,
  }));
}

/** The statement findLocationsNear runs (exported so benchmarks and tests can EXPLAIN it). */
export function locationsNearQuery(q: LocationSearch): RawBuilder<{ id: number | string; distanceM: number | null }> {
  const hasPoint = q.lat !== undefined && q.lng !== undefined;
  const conditions: Array<RawBuilder<SqlBool>> = [];
  let center: RawBuilder<unknown> | undefined;

  if (hasPoint) {
    center = sql`ll_to_earth(${q.lat!}::float8, ${q.lng!}::float8)`;
    if (q.distanceKm !== undefined) {
      const radiusM = q.distanceKm * 1000;
      // earth_box is a bounding cube (index-assisted, a little too big); earth_distance is the exact cut.
      conditions.push(sql<SqlBool>`earth_box(${center}, ${radiusM}::float8) @> ${locationPoint}`);
      conditions.push(sql<SqlBool>`earth_distance(${center}, ${locationPoint}) <= ${radiusM}::float8`);
    }
  }
  // A literal `publish` (not a parameter) so the planner can use a partial index on published rows.
  if (q.publishedOnly) conditions.push(sql<SqlBool>`l.publish`);
  if (q.cpoOwnerId !== undefined) conditions.push(sql<SqlBool>`l.cpo_owner_id = ${q.cpoOwnerId}`);
  if (q.city !== undefined) conditions.push(sql<SqlBool>`lower(l.city) = lower(${q.city})`);
  if (q.province !== undefined) conditions.push(sql<SqlBool>`lower(l.province) = lower(${q.province})`);

  const locationId = sql`l.id`;
  const evseId = sql`e.id`;
  for (const [codes, joinTable, refTable, refColumn] of [
    [codesOf(q.facilities), 'location_facility', 'facility', 'facility_id'],
    [codesOf(q.parkingTypes), 'location_parking_type', 'parking_type', 'parking_type_id'],
    [codesOf(q.parkingRestrictions), 'location_parking_restriction', 'parking_restriction', 'parking_restriction_id'],
  ] as const) {
    if (codes.length) conditions.push(hasAll(joinTable, 'location_id', locationId, refTable, refColumn, codes));
  }
  for (const [codes, joinTable, refTable, refColumn] of [
    [codesOf(q.capabilities), 'evse_capability', 'capability', 'capability_id'],
    [codesOf(q.paymentTypes), 'evse_payment_type', 'payment_type', 'payment_type_id'],
  ] as const) {
    if (codes.length) {
      conditions.push(sql<SqlBool>`exists (
        select 1 from evse e where e.location_id = l.id and ${hasAll(joinTable, 'evse_id', evseId, refTable, refColumn, codes)})`);
    }
  }
  const connectorTypes = codesOf(q.connectorTypes);
  if (connectorTypes.length) {
    conditions.push(sql<SqlBool>`(
      select count(distinct t.code) from evse e
        join connector c on c.evse_id = e.id
        cross join lateral (values (upper(c.connector_type)), (upper(c.standard))) as t(code)
       where e.location_id = l.id and t.code in (${sql.join(connectorTypes)})
    ) = ${connectorTypes.length}`);
  }

  const where = conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;
  const distance = center ? sql`earth_distance(${center}, ${locationPoint})` : sql`null::float8`;
  // `<->` (cube's euclidean distance, GiST-orderable) is the chord length: same order as the great circle.
  // Only locations at the very same coordinates tie; their order between pages is not guaranteed.
  const orderBy = center ? sql`${locationPoint} <-> ${center}` : sql`l.id`;

  return sql<{ id: number | string; distanceM: number | null }>`
    select l.id, ${distance} as distance_m
      from location l
      ${where}
     order by ${orderBy}
     limit ${q.limit} offset ${q.offset}`;
}
