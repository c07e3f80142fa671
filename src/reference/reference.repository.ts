import type { Db } from '../db/database.ts';

/** The reference tables (seeded by the cpo-api migration), all `(id, code, description)`. */
export type ReferenceList = 'connectorType' | 'facility' | 'capability' | 'paymentType' | 'parkingType' | 'parkingRestriction';

export interface ReferenceItem {
  id: number;
  code: string;
  description: string;
}

export function list(db: Db, table: ReferenceList): Promise<ReferenceItem[]> {
  // The six tables share one row type; naming one of them lets kysely type the query.
  return db
    .selectFrom(table as 'facility')
    .select(['id', 'code', 'description'])
    .orderBy('id')
    .execute();
}
