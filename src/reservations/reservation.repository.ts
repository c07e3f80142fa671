import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ReservationRow, ReservationStatus } from '../db/schema.ts';

export async function nextId(db: Db): Promise<number> {
  const row = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('reservation', 'id'))::int as id`.execute(db);
  return row.rows[0]!.id;
}

export interface NewReservation {
  id: number;
  chargePointId: string;
  connectorId: number;
  idTag: string;
  parentIdTag: string | null;
  expiryDate: Date;
}

export function insert(db: Db, reservation: NewReservation): Promise<ReservationRow> {
  return db.insertInto('reservation').values(reservation).returningAll().executeTakeFirstOrThrow();
}

export function findById(db: Db, id: number): Promise<ReservationRow | undefined> {
  return db.selectFrom('reservation').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function setStatus(
  db: Db,
  id: number,
  status: ReservationStatus,
  changes: { chargerAnswer?: string; transactionId?: number } = {},
  onlyIf?: ReservationStatus[],
): Promise<ReservationRow | undefined> {
  let query = db
    .updateTable('reservation')
    .set({ status, ...changes, updatedAt: new Date() })
    .where('id', '=', id);
  if (onlyIf) query = query.where('status', 'in', onlyIf);
  return query.returningAll().executeTakeFirst();
}

/** The open reservation a starting transaction fulfils: by id if the charger gave one, else by tag on that connector. */
export function findOpenFor(db: Db, chargePointId: string, connectorId: number, idTag: string, parentIdTag: string | null) {
  let query = db
    .selectFrom('reservation')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .where('status', '=', 'reserved')
    .where('connectorId', 'in', [0, connectorId]);
  query = parentIdTag
    ? query.where((eb) => eb.or([eb('idTag', '=', idTag), eb('parentIdTag', '=', parentIdTag)]))
    : query.where('idTag', '=', idTag);
  return query.orderBy('connectorId', 'desc').orderBy('createdAt').limit(1).executeTakeFirst();
}

export async function expireDue(db: Db, now: Date): Promise<number> {
  const result = await db
    .updateTable('reservation')
    .set({ status: 'expired', updatedAt: now })
    .where('status', 'in', ['reserved', 'requested'])
    .where('expiryDate', '<=', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export function list(db: Db, chargePointId: string, status?: ReservationStatus): Promise<ReservationRow[]> {
  let query = db.selectFrom('reservation').selectAll().where('chargePointId', '=', chargePointId);
  if (status) query = query.where('status', '=', status);
  return query.orderBy('createdAt', 'desc').limit(200).execute();
}
