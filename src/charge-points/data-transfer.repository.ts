import type { Db } from '../db/database.ts';

export interface DataTransferRecord {
  chargePointId: string;
  direction: 'incoming' | 'outgoing';
  vendorId: string;
  messageId: string | null;
  data: string | null;
  status: string;
  responseData: string | null;
}

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
