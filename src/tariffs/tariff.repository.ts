import type { Insertable, Updateable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { TariffRow, TariffTable } from '../db/schema.ts';

/** A tariff row with the OCPP names of its scope: the charger's identity and the connector's number. */
export type ScopedTariffRow = TariffRow & { evseUid: string | null; ocppConnectorId: number | null };

export interface TariffListFilter {
  cpoOwnerId: number;
  locationId?: number | undefined;
  evseId?: number | undefined;
  includeInactive: boolean;
  limit: number;
  offset: number;
}

function scoped(db: Db) {
  return db
    .selectFrom('tariff')
    .leftJoin('evse', 'evse.id', 'tariff.evseId')
    .leftJoin('connector', 'connector.id', 'tariff.connectorId')
    .selectAll('tariff')
    .select(['evse.uid as evseUid', 'connector.connectorId as ocppConnectorId']);
}

export function insert(db: Db, row: Insertable<TariffTable>): Promise<TariffRow> {
  return db.insertInto('tariff').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findById(db: Db, id: number): Promise<TariffRow | undefined> {
  return db.selectFrom('tariff').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findOfOwner(db: Db, cpoOwnerId: number, id: number): Promise<ScopedTariffRow | undefined> {
  return scoped(db).where('tariff.id', '=', id).where('tariff.cpoOwnerId', '=', cpoOwnerId).executeTakeFirst();
}

/** Oldest first, so pages stay stable while tariffs are added. */
export function list(db: Db, filter: TariffListFilter): Promise<ScopedTariffRow[]> {
  return scoped(db)
    .where('tariff.cpoOwnerId', '=', filter.cpoOwnerId)
    .$if(filter.locationId !== undefined, (qb) => qb.where('tariff.locationId', '=', filter.locationId!))
    .$if(filter.evseId !== undefined, (qb) => qb.where('tariff.evseId', '=', filter.evseId!))
    .$if(!filter.includeInactive, (qb) => qb.where('tariff.active', '=', true))
    .orderBy('tariff.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute();
}

export function update(db: Db, cpoOwnerId: number, id: number, set: Updateable<TariffTable>): Promise<TariffRow | undefined> {
  return db.updateTable('tariff').set(set).where('id', '=', id).where('cpoOwnerId', '=', cpoOwnerId).returningAll().executeTakeFirst();
}

/** The row, locked until the transaction ends (a PATCH and a DELETE of the same tariff serialise). */
export function lockOfOwner(db: Db, cpoOwnerId: number, id: number): Promise<TariffRow | undefined> {
  return db.selectFrom('tariff').selectAll().where('id', '=', id).where('cpoOwnerId', '=', cpoOwnerId).forUpdate().executeTakeFirst();
}

// Scope lookups: what a CPO may name as a tariff's scope (its own locations, chargers and connectors).

export function findLocationOfOwner(db: Db, cpoOwnerId: number, locationId: number): Promise<{ id: number } | undefined> {
  return db.selectFrom('location').select('id').where('id', '=', locationId).where('cpoOwnerId', '=', cpoOwnerId).executeTakeFirst();
}

export function findEvseOfOwner(db: Db, cpoOwnerId: number, uid: string): Promise<{ id: number; locationId: number } | undefined> {
  return db
    .selectFrom('evse')
    .innerJoin('location', 'location.id', 'evse.locationId')
    .select(['evse.id', 'location.id as locationId'])
    .where('evse.uid', '=', uid)
    .where('location.cpoOwnerId', '=', cpoOwnerId)
    .executeTakeFirst();
}

export function findConnector(db: Db, evseId: number, ocppConnectorId: number): Promise<{ id: number } | undefined> {
  return db.selectFrom('connector').select('id').where('evseId', '=', evseId).where('connectorId', '=', ocppConnectorId).executeTakeFirst();
}
