// Meter-value growth (issue 8): do stored meter values stay fast as they grow? Fills meter_reading the
// way a fleet does — ACTIVE sessions at a time, their readings interleaved, 720 values (2 h of a
// 6-value reading a minute) each — and at every checkpoint (empty, 1 M, …, 10 M values) measures the
// ingest's insert (the same insertMany the MeterValues writer uses, batches of 50 readings = 300
// values) and the per-transaction reads the APIs make (a session's values, its live readings, its
// energy plateau). Prints the query plans at the largest size.
//   DATABASE_URL=postgres://… npm run bench:meter-growth                 10 M values on PostgreSQL
//   npm run bench:meter-growth -- --rows 2000000 --checkpoints 3         PGlite in memory, smaller
// Writes bench-results/meter-growth-<backend>.json.

import { parseArgs } from 'node:util';
import { ExplainNode, sql, type KyselyPlugin } from 'kysely';
import { migrate } from '../../src/db/migrate.ts';
import type { Database } from '../../src/db/database.ts';
import type { NewMeterReading } from '../../src/db/schema.ts';
import * as orderRepository from '../../src/charging-orders/order.repository.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import { openScratchDatabase } from './bench-db.ts';
import { finish, printTable, writeResult, type Row } from './bench-report.ts';
import { LatencyHistogram } from '../fleet/latency-histogram.ts';

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string', default: '10000000' },
    checkpoints: { type: 'string', default: '10' },
    active: { type: 'string', default: '2000' },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npm run bench:meter-growth [-- --rows N --checkpoints K --active SESSIONS]   (DATABASE_URL set → PostgreSQL, else PGlite in memory)');
  process.exit(0);
}
const ROWS = Number(a.rows);
const CHECKPOINTS = Number(a.checkpoints);
const ACTIVE = Number(a.active);
const PER_SESSION = 720;
const MEASURANDS = ['Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC', 'Temperature'];
const PER_READING = MEASURANDS.length;
const INSERT_BATCHES = 50;
const BATCH_READINGS = 50;
const BATCH_ROWS = BATCH_READINGS * PER_READING;
const READS = 200;
const FILL_CHUNK = 1_000_000;
const READ_NAMES = { values: "a session's values", latest: 'live readings (latest per measurand)', plateau: 'energy plateau (idle time)' };

/**
 * Values [from, to) of the synthetic history, as readings of 6: reading j belongs to session
 * j mod ACTIVE of generation j / (ACTIVE × 120), so ACTIVE sessions report side by side like a fleet,
 * each a minute apart.
 */
async function fill(db: Database, layoutId: number, from: number, to: number): Promise<void> {
  const perSession = PER_SESSION / PER_READING;
  await sql`
    insert into meter_reading (charge_point_id, connector_id, transaction_id, sampled_at, layout_id, value, raw_value)
    select 'MG-' || lpad((j % ${ACTIVE})::text, 6, '0'), 1,
           1 + (j % ${ACTIVE}) + ${ACTIVE} * (j / ${ACTIVE * perSession}),
           timestamptz '2026-01-01' + ((j / ${ACTIVE}) * interval '1 minute'),
           ${layoutId}::int, array[b, b + 1, b + 2, b + 3, b + 4, b + 5], array_fill(null::text, array[6])
    from generate_series(${Math.floor(from / PER_READING)}::bigint, ${Math.floor(to / PER_READING) - 1}::bigint) as j,
         lateral (select ((j / ${ACTIVE}) % ${perSession} * 250)::numeric as b) as base`.execute(db);
}

/** The layout of the synthetic readings (what their 6 values measure), added once. */
async function fillLayout(db: Database): Promise<number> {
  const layout = sql`${sql.val(MEASURANDS)}::text[], array_fill(null::text, array[6]), array['Wh', null, null, null, null, null]::text[],
    array_fill('Sample.Periodic'::text, array[6]), array_fill('Outlet'::text, array[6]), array_fill('Raw'::text, array[6])`;
  await sql`insert into meter_layout (measurand, phase, unit, context, location, format) values (${layout}) on conflict on constraint meter_layout_unique do nothing`.execute(db);
  const { rows } = await sql<{ id: number }>`select id from meter_layout where (measurand, phase, unit, context, location, format) = (${layout})`.execute(db);
  return rows[0]!.id;
}

function newReadings(firstTx: number, batch: number): NewMeterReading[] {
  const sampledAt = new Date(Date.UTC(2027, 0, 1, 0, batch));
  return Array.from({ length: BATCH_READINGS }, (_, k) => ({
    chargePointId: `MG-${String(k).padStart(6, '0')}`, connectorId: 1, transactionId: firstTx + k, sampledAt,
    values: MEASURANDS.map((measurand, m) => ({
      measurand, phase: null, unit: m === 0 ? 'Wh' : null, context: 'Sample.Periodic', location: 'Outlet', format: 'Raw',
      value: String(batch * 100 + k * PER_READING + m), rawValue: null,
    })),
  }));
}

async function timed(h: LatencyHistogram, fn: () => Promise<unknown>): Promise<void> {
  const t = performance.now();
  await fn();
  h.record(performance.now() - t);
}

interface Checkpoint {
  rows: number;
  tableMb: number;
  insertRowsPerS: number;
  insertBatchP50Ms: number;
  insertBatchP99Ms: number;
  reads: Record<string, { p50Ms: number; p99Ms: number }>;
}

async function measure(db: Database, rows: number, nextTx: number): Promise<Checkpoint> {
  await sql`analyze meter_reading`.execute(db);
  const insert = new LatencyHistogram();
  const t0 = performance.now();
  for (let b = 0; b < INSERT_BATCHES; b++) await timed(insert, () => meterValueRepository.insertMany(db, newReadings(nextTx + b * BATCH_READINGS, b)));
  const insertS = (performance.now() - t0) / 1000;
  const sessions = Math.max(1, Math.floor(rows / PER_SESSION));
  const reads = { values: new LatencyHistogram(), latest: new LatencyHistogram(), plateau: new LatencyHistogram() };
  for (let r = 0; r < READS && rows > 0; r++) {
    const tx = 1 + Math.floor(Math.random() * sessions);
    await timed(reads.values, () => meterValueRepository.listForTransaction(db, tx));
    await timed(reads.latest, () => meterValueRepository.latestForTransaction(db, tx));
    await timed(reads.plateau, () => orderRepository.energyPlateau(db, tx));
  }
  const size = await sql<{ bytes: string }>`select pg_total_relation_size('meter_reading') as bytes`.execute(db);
  const s = (h: LatencyHistogram) => h.summary();
  const checkpoint: Checkpoint = {
    rows,
    tableMb: Math.round(Number(size.rows[0]!.bytes) / 2 ** 20),
    insertRowsPerS: Math.round((INSERT_BATCHES * BATCH_ROWS) / insertS),
    insertBatchP50Ms: s(insert).p50Ms,
    insertBatchP99Ms: s(insert).p99Ms,
    reads: rows > 0 ? Object.fromEntries(Object.entries(reads).map(([k, h]) => [k, { p50Ms: s(h).p50Ms, p99Ms: s(h).p99Ms }])) : {},
  };
  const r = checkpoint.reads;
  console.log(
    `${String(rows).padStart(9)} values ${String(checkpoint.tableMb).padStart(6)} MB | insert ${checkpoint.insertRowsPerS} values/s, batch p50 ${checkpoint.insertBatchP50Ms} p99 ${checkpoint.insertBatchP99Ms} ms` +
      (rows > 0 ? ` | values p99 ${r.values!.p99Ms} ms, latest p99 ${r.latest!.p99Ms} ms, plateau p99 ${r.plateau!.p99Ms} ms` : ''),
  );
  return checkpoint;
}

/** Runs the repositories' own queries under EXPLAIN (ANALYZE, BUFFERS): the plans of what the APIs run. */
const explaining: KyselyPlugin = {
  transformQuery: ({ node }) => (node.kind === 'SelectQueryNode' ? { ...node, explain: ExplainNode.create('text', sql`analyze, buffers`.toOperationNode()) } : node),
  transformResult: async ({ result }) => result,
};

async function plans(db: Database, tx: number): Promise<Record<string, string>> {
  const plan = (rows: unknown[]) => rows.map((row) => Object.values(row as object)[0]).join('\n');
  const d = db.withPlugin(explaining);
  return {
    values: plan(await meterValueRepository.listForTransaction(d, tx)),
    latest: plan(await meterValueRepository.latestForTransaction(d, tx)),
  };
}

async function main(): Promise<void> {
  const { handle, label, drop } = await openScratchDatabase('meter_growth', 4);
  const db = handle.db;
  const checkpoints: Checkpoint[] = [];
  let queryPlans: Record<string, string> = {};
  try {
    await migrate(db);
    console.log(`meter value growth on ${label}: ${ROWS} values, ${ACTIVE} sessions side by side, ${PER_SESSION} values each`);
    const nextTx = () => 1 + ACTIVE * (Math.ceil(ROWS / (ACTIVE * PER_SESSION)) + 1) + checkpoints.length * INSERT_BATCHES * BATCH_READINGS;
    const layoutId = await fillLayout(db);
    checkpoints.push(await measure(db, 0, nextTx()));
    let filled = 0;
    for (let c = 1; c <= CHECKPOINTS; c++) {
      const target = Math.round((ROWS * c) / CHECKPOINTS);
      const t = performance.now();
      for (let from = filled; from < target; from += FILL_CHUNK) await fill(db, layoutId, from, Math.min(target, from + FILL_CHUNK));
      console.log(`  filled ${filled} → ${target} values in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      filled = target;
      // The inserted batches count too: measure at the real size.
      checkpoints.push(await measure(db, filled + checkpoints.length * INSERT_BATCHES * BATCH_ROWS, nextTx()));
    }
    queryPlans = await plans(db, 1 + Math.floor(ROWS / PER_SESSION / 2));
    console.log(`\nPlans at ${ROWS} values, one session of ${PER_SESSION} values:\n-- values\n${queryPlans.values}\n-- latest\n${queryPlans.latest}`);
  } finally {
    await handle.close();
    await drop();
  }
  const first = checkpoints[1]!;
  const last = checkpoints.at(-1)!;
  const at = (c: Checkpoint) => `${c.rows.toLocaleString('en')} values`;
  const table: Row[] = [
    { metric: `insert values/s (batches of ${BATCH_READINGS} readings = ${BATCH_ROWS} values), empty table → ${at(last)}`, project: `${checkpoints[0]!.insertRowsPerS} → ${last.insertRowsPerS}` },
    { metric: 'insert batch p50 / p99 (ms), empty → full', project: `${checkpoints[0]!.insertBatchP50Ms} / ${checkpoints[0]!.insertBatchP99Ms} → ${last.insertBatchP50Ms} / ${last.insertBatchP99Ms}` },
    ...(['values', 'latest', 'plateau'] as const).map((k) => ({
      metric: `${READ_NAMES[k]} p50 / p99 (ms), ${at(first)} → ${at(last)}`,
      project: `${first.reads[k]!.p50Ms} / ${first.reads[k]!.p99Ms} → ${last.reads[k]!.p50Ms} / ${last.reads[k]!.p99Ms}`,
    })),
    { metric: 'table + indexes (MB)', project: `${first.tableMb} → ${last.tableMb}` },
  ];
  printTable(`meter value growth on ${label}`, table);
  // A per-session read that stops using the session index is what would make the table slow as it grows.
  const failures = Object.entries(queryPlans).filter(([, plan]) => !plan.includes('meter_reading_tx_idx')).map(([read]) => `the ${read} read does not use meter_reading_tx_idx at ${last.rows} values`);
  const result = { bench: `meter-growth-${handle.kind}`, backend: handle.kind, parameters: { rows: ROWS, checkpoints: CHECKPOINTS, active: ACTIVE }, rows: table, failures, details: { checkpoints, plans: queryPlans } };
  finish(result, await writeResult(result));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
