import type { Selectable } from 'kysely';
import type { Db } from '../db/database.ts';
import type { DataTransferTable } from '../db/schema.ts';

export type DataTransferRecord = Omit<Selectable<DataTransferTable>, 'id' | 'receivedAt'>;

export async function insert(db: Db, record: DataTransferRecord): Promise<void> {
  await db.insertInto('dataTransfer').values(record).execute();
}

export function listForChargePoint(db: Db, chargePointId: string, limit = 50) {
  return db
    .selectFrom('dataTransfer')
    .selectAll()
    .where('chargePointId', '=', chargePointId)
    .orderBy('receivedAt', 'desc')
    .limit(limit)
    .execute();
}
