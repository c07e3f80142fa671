import type { Db } from '../db/database.ts';

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
