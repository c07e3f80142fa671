import type { Insertable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ConnectorTable, CpoOwnerTable, EvseTable, LocationTable } from '../db/schema.ts';

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
