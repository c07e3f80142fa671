import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface ConnectorKey {
  chargePointId: string;
  connectorId: number;
}

/** The latest stored state of the given connectors (connector_status). */
export async function latestOf(db: Db, keys: readonly ConnectorKey[]) {
  if (keys.length === 0) return [];
  const tuples = keys.map((k) => sql`(${k.chargePointId}, ${k.connectorId}::integer)`);
  return db
    .selectFrom('connectorStatus')
    .select(['chargePointId', 'connectorId', 'status', 'statusAt'])
    .where(sql<boolean>`(charge_point_id, connector_id) in (${sql.join(tuples)})`)
    .execute();
}

export interface ChargerPlace {
  /** evse.uid, the charger's OCPP identity. */
  uid: string;
  locationId: number;
  lat: number;
  lng: number;
}

/** Where each charger stands; chargers not (yet) placed at a location are left out. */
export async function placesOf(db: Db, chargePointIds: readonly string[]): Promise<ChargerPlace[]> {
  if (chargePointIds.length === 0) return [];
  const rows = await db
    .selectFrom('evse')
    .innerJoin('location', 'location.id', 'evse.locationId')
    .select(['evse.uid', 'evse.locationId', 'location.addressLat', 'location.addressLng'])
    .where('evse.uid', 'in', chargePointIds)
    .execute();
  return rows.map((r) => ({ uid: r.uid, locationId: Number(r.locationId), lat: Number(r.addressLat), lng: Number(r.addressLng) }));
}
