import type { Db } from '../db/database.ts';
import type { MeterValueRow, NewMeterValue } from '../db/schema.ts';

// PostgreSQL allows 65535 bind parameters per statement; 14 columns a row.
const ROWS_PER_INSERT = 4000;

export async function insertMany(db: Db, rows: readonly NewMeterValue[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db.insertInto('meterValue').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
  }
}

export function listForTransaction(db: Db, transactionId: number): Promise<MeterValueRow[]> {
  return db
    .selectFrom('meterValue')
    .selectAll()
    .where('transactionId', '=', transactionId)
    .orderBy('sampledAt')
    .orderBy('id')
    .execute();
}

/** The most recent sample of each measurand/phase of a transaction. */
export function latestForTransaction(db: Db, transactionId: number): Promise<MeterValueRow[]> {
  return db
    .selectFrom('meterValue')
    .selectAll()
    .distinctOn(['measurand', 'phase'])
    .where('transactionId', '=', transactionId)
    .where('value', 'is not', null)
    .orderBy('measurand')
    .orderBy('phase')
    .orderBy('sampledAt', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
