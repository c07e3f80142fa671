import type { Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ChargingProfileRow, ChargingProfileTable, InstalledChargingProfileRow } from '../db/schema.ts';

export function insertNamed(db: Db, row: Insertable<ChargingProfileTable>): Promise<ChargingProfileRow> {
  return db.insertInto('chargingProfile').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findNamed(db: Db, id: number): Promise<ChargingProfileRow | undefined> {
  return db.selectFrom('chargingProfile').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findNamedByName(db: Db, name: string): Promise<ChargingProfileRow | undefined> {
  return db.selectFrom('chargingProfile').selectAll().where('name', '=', name).executeTakeFirst();
}

export function listNamed(db: Db): Promise<ChargingProfileRow[]> {
  return db.selectFrom('chargingProfile').selectAll().orderBy('name').execute();
}

export type Installed = Omit<InstalledChargingProfileRow, 'installedAt'>;

/**
 * OCPP 1.6 §5.16.2: a new profile replaces one with the same id, and one with the same purpose and
 * stack level on the same connector.
 */
export async function install(db: Db, p: Installed): Promise<void> {
  await db
    .deleteFrom('installedChargingProfile')
    .where('chargePointId', '=', p.chargePointId)
    .where((eb) =>
      eb.or([
        eb('chargingProfileId', '=', p.chargingProfileId),
        eb.and([eb('connectorId', '=', p.connectorId), eb('purpose', '=', p.purpose), eb('stackLevel', '=', p.stackLevel)]),
      ]),
    )
    .execute();
  await db
    .insertInto('installedChargingProfile')
    .values({ ...p, profile: JSON.stringify(p.profile) })
    .execute();
}

export interface ClearFilter {
  id?: number | undefined;
  connectorId?: number | undefined;
  purpose?: string | undefined;
  stackLevel?: number | undefined;
  transactionId?: number | undefined;
}

export async function clear(db: Db, chargePointId: string, f: ClearFilter): Promise<number> {
  let query = db.deleteFrom('installedChargingProfile').where('chargePointId', '=', chargePointId);
  if (f.id !== undefined) query = query.where('chargingProfileId', '=', f.id);
  if (f.connectorId !== undefined) query = query.where('connectorId', '=', f.connectorId);
  if (f.purpose !== undefined) query = query.where('purpose', '=', f.purpose);
  if (f.stackLevel !== undefined) query = query.where('stackLevel', '=', f.stackLevel);
  if (f.transactionId !== undefined) query = query.where('transactionId', '=', f.transactionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function listInstalled(db: Db, chargePointId: string): Promise<InstalledChargingProfileRow[]> {
  return db
    .selectFrom('installedChargingProfile')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .orderBy('connectorId')
    .orderBy('purpose')
    .orderBy('stackLevel', 'desc')
    .execute();
}
