import { sql } from 'kysely';
import { intArray, nullableIntArray, textArray } from '../db/array-literal.ts';
import type { Db } from '../db/database.ts';
import type { MeterValueRow, NewMeterValue } from '../db/schema.ts';

/**
 * One statement per batch whatever its size: each column travels as one array literal and unnest()
 * turns them back into rows. The server parses and plans a statement of constant size, and the
 * literals are built in one pass (array-literal.ts) rather than escaped element by element by the
 * driver — the ingest path's hottest write.
 */
export async function insertMany(db: Db, rows: readonly NewMeterValue[]): Promise<void> {
  if (rows.length === 0) return;
  const n = rows.length;
  const cols = {
    chargePointId: new Array<string>(n), connectorId: new Array<number>(n), transactionId: new Array<number | null>(n),
    sampledAt: new Array<string>(n), measurand: new Array<string>(n), phase: new Array<string | null>(n),
    unit: new Array<string | null>(n), context: new Array<string>(n), location: new Array<string | null>(n),
    format: new Array<string>(n), value: new Array<string | null>(n), rawValue: new Array<string | null>(n),
  };
  // The values of one OCPP MeterValue share their timestamp (one Date): formatted once.
  let lastAt: Date | string | undefined;
  let lastIso = '';
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    if (r.sampledAt !== lastAt) {
      lastAt = r.sampledAt;
      lastIso = toTimestamp(r.sampledAt);
    }
    cols.chargePointId[i] = r.chargePointId;
    cols.connectorId[i] = r.connectorId;
    cols.transactionId[i] = r.transactionId ?? null;
    cols.sampledAt[i] = lastIso;
    cols.measurand[i] = r.measurand;
    cols.phase[i] = r.phase ?? null;
    cols.unit[i] = r.unit ?? null;
    cols.context[i] = r.context;
    cols.location[i] = r.location ?? null;
    cols.format[i] = r.format;
    cols.value[i] = r.value == null ? null : String(r.value);
    cols.rawValue[i] = r.rawValue ?? null;
  }
  await sql`
    insert into meter_value (charge_point_id, connector_id, transaction_id, sampled_at, measurand, phase, unit, context, location, format, value, raw_value)
    select * from unnest(
      ${textArray(cols.chargePointId)}::text::text[], ${intArray(cols.connectorId)}::text::int[],
      ${nullableIntArray(cols.transactionId)}::text::int[], ${textArray(cols.sampledAt)}::text::timestamptz[],
      ${textArray(cols.measurand)}::text::text[], ${textArray(cols.phase)}::text::text[], ${textArray(cols.unit)}::text::text[],
      ${textArray(cols.context)}::text::text[], ${textArray(cols.location)}::text::text[], ${textArray(cols.format)}::text::text[],
      ${textArray(cols.value)}::text::numeric[], ${textArray(cols.rawValue)}::text::text[])`.execute(db);
}

// ISO 8601 in UTC keeps the millisecond exactly, whatever the client's time zone.
const toTimestamp = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString());

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
