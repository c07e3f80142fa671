import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from '../db/database.ts';

// Reads behind the driver search (POST /v1/search): which published locations have connectors that
// pass the filters (a page of them, and how many in all), and those connectors with their live state.
// Both queries apply the same connector conditions, so a location is listed exactly when it has a
// connector to show.

export interface CatalogFilter {
  /** Connectors of the EVSE with this uid (OCPP identity) or EVSE id (case-insensitive). */
  evse?: string;
  near?: { lat: number; lng: number; distanceMeters: number };
  /** The location's CPO: by its id, or by party id (and country code when given), case-insensitive. */
  cpo?: { ownerId: number | null; countryCode: string | null; partyId: string | null };
  /** Connectors at this location, or of the EVSE with this uid or EVSE id. */
  station?: { locationId: number | null; evse: string };
  /** Upper case; matches connector_type or standard. */
  connectorType?: string;
  /** The (type, AC|DC) pairs a vehicle can use; type is upper case, matched against connector_type, else standard. */
  usablePairs?: ReadonlyArray<readonly [type: string, current: 'AC' | 'DC']>;
}

export interface LocationPageRow {
  id: number;
  distanceMeters: number | null;
}

// Must stay textually identical to the indexed expression (migrations/2026-11-22T0300-geo-search.ts).
const locationPoint = sql`ll_to_earth(l.address_lat::float8, l.address_lng::float8)`;

const evseMatches = (evse: string) => sql<SqlBool>`(e.uid = ${evse} or upper(e.evse_id) = upper(${evse}))`;

/** What a connector row `c` (with its EVSE `e` and location `l`) must satisfy. */
function connectorConditions(f: CatalogFilter): RawBuilder<SqlBool> {
  const conditions: Array<RawBuilder<SqlBool>> = [sql<SqlBool>`true`];
  if (f.evse !== undefined) conditions.push(evseMatches(f.evse));
  if (f.station) {
    conditions.push(
      f.station.locationId === null
        ? evseMatches(f.station.evse)
        : sql<SqlBool>`(l.id = ${f.station.locationId} or ${evseMatches(f.station.evse)})`,
    );
  }
  if (f.connectorType !== undefined) {
    conditions.push(sql<SqlBool>`(upper(c.connector_type) = ${f.connectorType} or upper(c.standard) = ${f.connectorType})`);
  }
  if (f.usablePairs) {
    if (f.usablePairs.length === 0) return sql<SqlBool>`false`;
    const pairs = f.usablePairs.map(([type, current]) => sql`(${type}::text, ${current}::text)`);
    conditions.push(sql<SqlBool>`(upper(coalesce(c.connector_type, c.standard)),
      case when upper(c.power_type) = 'DC' then 'DC' else 'AC' end) in (${sql.join(pairs)})`);
  }
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

function center(f: CatalogFilter): RawBuilder<unknown> | undefined {
  return f.near ? sql`ll_to_earth(${f.near.lat}::float8, ${f.near.lng}::float8)` : undefined;
}

function locationConditions(f: CatalogFilter): RawBuilder<SqlBool> {
  // A literal `publish` (not a parameter) so the planner can use a partial index on published rows.
  const conditions: Array<RawBuilder<SqlBool>> = [sql<SqlBool>`l.publish`];
  const c = center(f);
  if (f.near && c) {
    const radius = sql`${f.near.distanceMeters}::float8`;
    // earth_box is a bounding cube (index-assisted, a little too big); earth_distance is the exact cut.
    conditions.push(sql<SqlBool>`earth_box(${c}, ${radius}) @> ${locationPoint}`);
    conditions.push(sql<SqlBool>`earth_distance(${c}, ${locationPoint}) <= ${radius}`);
  }
  if (f.cpo) {
    const owner: Array<RawBuilder<SqlBool>> = [];
    if (f.cpo.ownerId !== null) owner.push(sql<SqlBool>`o.id = ${f.cpo.ownerId}`);
    if (f.cpo.partyId !== null) {
      owner.push(
        f.cpo.countryCode === null
          ? sql<SqlBool>`upper(o.party_id) = upper(${f.cpo.partyId})`
          : sql<SqlBool>`(upper(o.party_id) = upper(${f.cpo.partyId}) and upper(o.country_code) = upper(${f.cpo.countryCode}))`,
      );
    }
    conditions.push(
      owner.length ? sql<SqlBool>`l.cpo_owner_id in (select o.id from cpo_owner o where ${sql.join(owner, sql` or `)})` : sql<SqlBool>`false`,
    );
  }
  conditions.push(sql<SqlBool>`exists (
    select 1 from evse e join connector c on c.evse_id = e.id
     where e.location_id = l.id and ${connectorConditions(f)})`);
  return sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

/**
 * One page of the matching locations, nearest first when searching near a point (then by id), else
 * by id; and how many match in all. The total rides along as a window count; a page past the end has
 * no row to carry it, so only then is it counted separately.
 */
export async function findLocationPage(
  db: Db,
  f: CatalogFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: LocationPageRow[]; total: number }> {
  const where = locationConditions(f);
  const c = center(f);
  const distance = c ? sql`earth_distance(${c}, ${locationPoint})` : sql`null::float8`;
  const { rows } = await sql<{ id: number | string; distanceM: number | null; total: number | string }>`
    select l.id, ${distance} as distance_m, count(*) over () as total
      from location l
     where ${where}
     order by ${c ? sql`distance_m, l.id` : sql`l.id`}
     limit ${page.limit} offset ${page.offset}`.execute(db);
  let total = rows.length ? Number(rows[0]!.total) : 0;
  if (!rows.length && page.offset > 0) {
    const counted = await sql<{ total: number | string }>`select count(*) as total from location l where ${where}`.execute(db);
    total = Number(counted.rows[0]?.total ?? 0);
  }
  return {
    rows: rows.map((r) => ({ id: Number(r.id), distanceMeters: r.distanceM === null ? null : Math.round(Number(r.distanceM)) })),
    total,
  };
}

export interface CatalogConnectorRow {
  id: number;
  connectorId: number;
  connectorType: string | null;
  standard: string;
  format: string;
  powerType: string;
  maxElectricPower: number;
  evseDbId: number;
  evseUid: string;
  evseId: string | null;
  locationId: number;
  addressLat: string;
  addressLng: string;
  cpoOwnerId: number;
  countryCode: string;
  partyId: string;
  cpoName: string;
  /** Null when the charger never connected. */
  online: boolean | null;
  ocppStatus: string | null;
  /** The whole charger's (connector 0) last status. */
  chargerOcppStatus: string | null;
  /** Connectors on the EVSE, filtered or not. */
  socketCount: number;
  /** A reservation the charger accepted, still open after the window starts (connector 0 holds them all). */
  reservedOnCharger: boolean;
  /** A paid order holds the connector during part of the window. */
  bookedByOrder: boolean;
}

/**
 * The connectors of these locations that pass the filters, with their live state and whether a
 * reservation or a paid order holds them during `window` ([start, end); start = end is an instant).
 * Ordered by location, EVSE and connector number.
 */
export async function findConnectors(
  db: Db,
  locationIds: readonly number[],
  f: CatalogFilter,
  window: { start: Date; end: Date },
): Promise<CatalogConnectorRow[]> {
  if (locationIds.length === 0) return [];
  const instant = window.start.getTime() === window.end.getTime();
  const startsBeforeEnd = instant ? sql`ord.valid_from <= ${window.end}` : sql`ord.valid_from < ${window.end}`;
  const { rows } = await sql<CatalogConnectorRow>`
    select c.id, c.connector_id, c.connector_type, c.standard, c.format, c.power_type, c.max_electric_power,
           e.id as evse_db_id, e.uid as evse_uid, e.evse_id, l.id as location_id, l.address_lat, l.address_lng,
           own.id as cpo_owner_id, own.country_code, own.party_id, own.name as cpo_name,
           cp.online, cs.status as ocpp_status, whole.status as charger_ocpp_status,
           (select count(*) from connector sib where sib.evse_id = e.id) as socket_count,
           exists (
             select 1 from reservation r
              where r.charge_point_id = e.uid and r.connector_id in (0, c.connector_id)
                and r.status = 'reserved' and r.expiry_date > ${window.start}
           ) as reserved_on_charger,
           exists (
             select 1 from charging_order ord
              where ord.connector_id = c.id and ord.status = 'active'
                and ${startsBeforeEnd} and ord.valid_until > ${window.start}
           ) as booked_by_order
      from location l
      join cpo_owner own on own.id = l.cpo_owner_id
      join evse e on e.location_id = l.id
      join connector c on c.evse_id = e.id
      left join charge_point cp on cp.id = e.uid
      left join connector_status cs on cs.charge_point_id = e.uid and cs.connector_id = c.connector_id
      left join connector_status whole on whole.charge_point_id = e.uid and whole.connector_id = 0
     where l.id in (${sql.join(locationIds)}) and ${connectorConditions(f)}
     order by l.id, e.id, c.connector_id`.execute(db);
  return rows.map((r) => ({
    ...r,
    id: Number(r.id),
    evseDbId: Number(r.evseDbId),
    locationId: Number(r.locationId),
    cpoOwnerId: Number(r.cpoOwnerId),
    socketCount: Number(r.socketCount),
    addressLat: String(r.addressLat),
    addressLng: String(r.addressLng),
  }));
}

/** Every connector type code (the reference list that connectors' types and standards are checked against). */
export async function connectorTypeCodes(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('connectorType').select('code').orderBy('id').execute();
  return rows.map((r) => r.code.toUpperCase());
}
