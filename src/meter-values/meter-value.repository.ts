import { sql } from 'kysely';
import { intArray, nullableIntArray, textArray } from '../db/array-literal.ts';
import type { Db } from '../db/database.ts';
import { preparedAs } from '../db/prepared-statements.ts';
import type { MeterValueRow, NewMeterReading } from '../db/schema.ts';

/**
 * One statement per batch whatever its size. Each column travels as one array literal: per reading
 * for its where and when, and for its values an array of the reading's own array literals, which
 * the statement casts row by row (`m::text[]`). The server parses and plans a statement of constant
 * size — prepared once per connection on PostgreSQL — and the literals are built in one pass
 * (array-literal.ts) rather than escaped element by element by the driver: the ingest path's hottest write.
 */
const PREPARED = preparedAs('meter_reading_insert');

export async function insertMany(db: Db, readings: readonly NewMeterReading[]): Promise<void> {
  const n = readings.length;
  if (n === 0) return;
  const chargePointId = new Array<string>(n);
  const connectorId = new Array<number>(n);
  const transactionId = new Array<number | null>(n);
  const sampledAt = new Array<string>(n);
  const values = { measurand: new Array<string>(n), phase: new Array<string>(n), unit: new Array<string>(n), context: new Array<string>(n),
    location: new Array<string>(n), format: new Array<string>(n), value: new Array<string>(n), rawValue: new Array<string>(n) };
  for (let i = 0; i < n; i++) {
    const r = readings[i]!;
    chargePointId[i] = r.chargePointId;
    connectorId[i] = r.connectorId;
    transactionId[i] = r.transactionId;
    sampledAt[i] = toTimestamp(r.sampledAt);
    const v = r.values;
    values.measurand[i] = textArray(v.map((x) => x.measurand));
    values.phase[i] = textArray(v.map((x) => x.phase));
    values.unit[i] = textArray(v.map((x) => x.unit));
    values.context[i] = textArray(v.map((x) => x.context));
    values.location[i] = textArray(v.map((x) => x.location));
    values.format[i] = textArray(v.map((x) => x.format));
    values.value[i] = textArray(v.map((x) => x.value));
    values.rawValue[i] = textArray(v.map((x) => x.rawValue));
  }
  await sql`${sql.raw(PREPARED)}
    insert into meter_reading (charge_point_id, connector_id, transaction_id, sampled_at, measurand, phase, unit, context, location, format, value, raw_value)
    select cp, conn, tx, at, m::text[], ph::text[], u::text[], cx::text[], lo::text[], f::text[], v::numeric[], raw::text[]
    from unnest(
      ${textArray(chargePointId)}::text::text[], ${intArray(connectorId)}::text::int[],
      ${nullableIntArray(transactionId)}::text::int[], ${textArray(sampledAt)}::text::timestamptz[],
      ${textArray(values.measurand)}::text::text[], ${textArray(values.phase)}::text::text[], ${textArray(values.unit)}::text::text[],
      ${textArray(values.context)}::text::text[], ${textArray(values.location)}::text::text[], ${textArray(values.format)}::text::text[],
      ${textArray(values.value)}::text::text[], ${textArray(values.rawValue)}::text::text[]
    ) as r(cp, conn, tx, at, m, ph, u, cx, lo, f, v, raw)`.execute(db);
}

// ISO 8601 in UTC keeps the millisecond exactly, whatever the client's time zone.
const toTimestamp = (at: Date): string => at.toISOString();

export function listForTransaction(db: Db, transactionId: number): Promise<MeterValueRow[]> {
  return db
    .selectFrom('meterValue')
    .selectAll()
    .where('transactionId', '=', transactionId)
    .orderBy('sampledAt')
    .orderBy('readingId')
    .orderBy('valueIndex')
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
    .orderBy('readingId', 'desc')
    .orderBy('valueIndex', 'desc')
    .execute();
}
