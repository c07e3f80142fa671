import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export interface RatingAverage {
  /** The mean of the ratings, rounded half away from zero to one decimal: "4.5", "4.0". */
  value: string;
  count: number;
}

/** The average rating of each connector (db ids) that has any; connectors without ratings are absent. */
export async function averagesByConnector(db: Db, connectorIds: readonly number[]): Promise<Map<number, RatingAverage>> {
  const out = new Map<number, RatingAverage>();
  if (connectorIds.length === 0) return out;
  // numeric avg and round keep the mean exact in decimal (a float mean of 4.45 could round down).
  const rows = await db
    .selectFrom('orderRating')
    .select([
      'connectorId',
      sql<string>`round(avg(value)::numeric, 1)::text`.as('value'),
      sql<number>`count(*)`.as('count'),
    ])
    .where('connectorId', 'in', [...new Set(connectorIds)])
    .groupBy('connectorId')
    .execute();
  for (const r of rows) out.set(Number(r.connectorId), { value: r.value, count: Number(r.count) });
  return out;
}
