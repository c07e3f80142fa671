import { sql } from 'kysely';
import { intArray, nullableIntArray, textArray } from '../db/array-literal.ts';
import type { Db } from '../db/database.ts';
import { preparedAs } from '../db/prepared-statements.ts';
import type { MeterValueRow, NewMeterReading, StoredSampledValue } from '../db/schema.ts';

/**
 * The batch insert, one statement whatever the batch size. Each column travels as one array literal:
 * per reading for its where and when, and for its values an array of the reading's own array
 * literals, which the statement casts row by row (`v::numeric[]`). A reading's layout (what each
 * value measures) is sent once per distinct layout in the batch — usually one — and joined to the
 * meter_layout row it names. The statement is of constant text, so PostgreSQL prepares it once per
 * connection; the literals are built in one pass (array-literal.ts): the ingest path's hottest write.
 * A layout missing from meter_layout leaves layout_id null and fails the batch (NOT NULL) rather than
 * dropping its readings.
 */
const PREPARED = preparedAs('meter_reading_insert');

/**
 * Layouts known to be in a database, per Kysely instance. Layouts are never deleted, so one seen
 * committed stays there; inside a caller's transaction nothing is remembered (it may roll back). A
 * fleet has a handful; the cap only bounds what chargers sending ever-new layouts could make it hold.
 */
const knownLayouts = new WeakMap<object, Set<string>>();
const MAX_KNOWN_LAYOUTS = 10_000;

interface LayoutLiterals {
  measurand: string[];
  phase: string[];
  unit: string[];
  context: string[];
  location: string[];
  format: string[];
}

export async function insertMany(db: Db, readings: readonly NewMeterReading[]): Promise<void> {
  const n = readings.length;
  if (n === 0) return;
  const chargePointId = new Array<string>(n);
  const connectorId = new Array<number>(n);
  const transactionId = new Array<number | null>(n);
  const sampledAt = new Array<string>(n);
  const layoutIndex = new Array<number>(n);
  const value = new Array<string>(n);
  const rawValue = new Array<string>(n);
  // The batch's distinct layouts, each as the values of its first reading. Readings of one batch
  // nearly always share one, so comparing fields beats building each reading's layout literals.
  const distinct: StoredSampledValue[][] = [];
  let last = -1;
  for (let i = 0; i < n; i++) {
    const r = readings[i]!;
    chargePointId[i] = r.chargePointId;
    connectorId[i] = r.connectorId;
    transactionId[i] = r.transactionId;
    sampledAt[i] = toTimestamp(r.sampledAt);
    const v = r.values;
    if (last < 0 || !sameLayout(distinct[last]!, v)) {
      last = distinct.findIndex((d) => sameLayout(d, v));
      if (last < 0) last = distinct.push(v) - 1;
    }
    layoutIndex[i] = last + 1;
    value[i] = textArray(v.map((x) => x.value));
    rawValue[i] = textArray(v.map((x) => x.rawValue));
  }
  const { layouts, keys } = layoutLiterals(distinct);
  const l = layoutParams(layouts);
  const known = db.isTransaction ? undefined : knownLayouts.get(db) ?? knownLayouts.set(db, new Set()).get(db)!;
  if (!known || keys.some((k) => !known.has(k))) {
    await addLayouts(db, l);
    if (known && known.size + keys.length > MAX_KNOWN_LAYOUTS) known.clear();
    for (const k of keys) known?.add(k);
  }
  await insertReadings(db, l, { chargePointId, connectorId, transactionId, sampledAt, layoutIndex, value, rawValue }).catch((err: unknown) => {
    // A layout remembered wrongly (its table rebuilt under a running server) must not fail every batch after.
    knownLayouts.delete(db);
    throw err;
  });
}

interface ReadingColumns {
  chargePointId: string[];
  connectorId: number[];
  transactionId: Array<number | null>;
  sampledAt: string[];
  layoutIndex: number[];
  value: string[];
  rawValue: string[];
}

async function insertReadings(db: Db, l: ReturnType<typeof layoutParams>, r: ReadingColumns): Promise<void> {
  await sql`${sql.raw(PREPARED)}
    with batch_layout as (
      select * from unnest(${l.measurand}::text::text[], ${l.phase}::text::text[], ${l.unit}::text::text[],
        ${l.context}::text::text[], ${l.location}::text::text[], ${l.format}::text::text[])
        with ordinality as b(m, ph, u, cx, lo, f, i)
    ), layout_id as (
      select b.i, l.id from batch_layout b
      join meter_layout l on l.measurand = b.m::text[] and l.phase = b.ph::text[] and l.unit = b.u::text[]
        and l.context = b.cx::text[] and l.location = b.lo::text[] and l.format = b.f::text[]
    )
    insert into meter_reading (charge_point_id, connector_id, transaction_id, sampled_at, layout_id, value, raw_value)
    select r.cp, r.conn, r.tx, r.at, layout_id.id, r.v::numeric[], r.raw::text[]
    from unnest(
      ${textArray(r.chargePointId)}::text::text[], ${intArray(r.connectorId)}::text::int[],
      ${nullableIntArray(r.transactionId)}::text::int[], ${textArray(r.sampledAt)}::text::timestamptz[],
      ${intArray(r.layoutIndex)}::text::int[], ${textArray(r.value)}::text::text[], ${textArray(r.rawValue)}::text::text[]
    ) as r(cp, conn, tx, at, li, v, raw)
    left join layout_id on layout_id.i = r.li`.execute(db);
}

/** The distinct layouts as the insert's literals, and a key naming each (for knownLayouts). */
function layoutLiterals(distinct: readonly StoredSampledValue[][]): { layouts: LayoutLiterals; keys: string[] } {
  const layouts: LayoutLiterals = { measurand: [], phase: [], unit: [], context: [], location: [], format: [] };
  const keys = distinct.map((v) => {
    const m = textArray(v.map((x) => x.measurand));
    const ph = textArray(v.map((x) => x.phase));
    const u = textArray(v.map((x) => x.unit));
    const cx = textArray(v.map((x) => x.context));
    const lo = textArray(v.map((x) => x.location));
    const f = textArray(v.map((x) => x.format));
    layouts.measurand.push(m);
    layouts.phase.push(ph);
    layouts.unit.push(u);
    layouts.context.push(cx);
    layouts.location.push(lo);
    layouts.format.push(f);
    // Six complete literals, each one brace group: their concatenation names the layout unambiguously.
    return m + ph + u + cx + lo + f;
  });
  return { layouts, keys };
}

function sameLayout(a: readonly StoredSampledValue[], b: readonly StoredSampledValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j]!;
    const y = b[j]!;
    if (x.measurand !== y.measurand || x.phase !== y.phase || x.unit !== y.unit || x.context !== y.context || x.location !== y.location || x.format !== y.format) return false;
  }
  return true;
}

const layoutParams = (l: LayoutLiterals) => ({
  measurand: textArray(l.measurand), phase: textArray(l.phase), unit: textArray(l.unit),
  context: textArray(l.context), location: textArray(l.location), format: textArray(l.format),
});

/**
 * Its own statement, before the insert: under READ COMMITTED the insert then sees a layout that a
 * concurrent batch added first (a single statement's snapshot would not).
 */
async function addLayouts(db: Db, l: ReturnType<typeof layoutParams>): Promise<void> {
  await sql`
    insert into meter_layout (measurand, phase, unit, context, location, format)
    select m::text[], ph::text[], u::text[], cx::text[], lo::text[], f::text[]
    from unnest(${l.measurand}::text::text[], ${l.phase}::text::text[], ${l.unit}::text::text[],
      ${l.context}::text::text[], ${l.location}::text::text[], ${l.format}::text::text[]) as b(m, ph, u, cx, lo, f)
    on conflict on constraint meter_layout_unique do nothing`.execute(db);
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
