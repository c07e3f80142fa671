// Telemetry ingest (issue 8, benchmark 2): M chargers, each in a transaction, send MeterValues with 6
// sampled values back to back (the next as soon as the last is answered) for T seconds. Reports the
// MeterValues/s and sampled values/s acknowledged — and checks after the run that every acknowledged
// value is stored (any loss fails the bench) — and the p50/p99 latency of a MeterValues call;
// and the same load against the bare ocpp-rpc baseline, run before and after the project (the machine
// drifts; the baseline figures are the mean of the two runs).
//   npm run bench:ingest                                   200 chargers × 20 s, PGlite in a temp dir
//   DATABASE_URL=postgres://… npm run bench:ingest         PostgreSQL: bench_ingest_<ts>, dropped after
//   npm run bench:ingest -- --chargers 500 --seconds 60 --workers 2 --samples 6

import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startFleet, type FleetResult } from '../fleet/fleet.ts';
import { createBenchDatabase, seedBenchDatabase } from './bench-db.ts';
import { finish, fleetSummary, mb, printTable, writeResult, type Row } from './bench-report.ts';
import { cpuPercent, procSample, startBaselineProcess, startProjectServer, type ServerProcess } from './bench-server.ts';

const { values: a } = parseArgs({
  options: {
    chargers: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    workers: { type: 'string', default: '1' },
    samples: { type: 'string', default: '6' },
    'no-baseline': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npm run bench:ingest [-- --chargers M --seconds T --workers N --samples K --no-baseline]');
  process.exit(0);
}
const M = Number(a.chargers);
const T = Number(a.seconds);
const SAMPLES = Number(a.samples);
const PREFIX = 'BI-';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  windowS: number;
  meterValuesPerS: number;
  samplesPerS: number;
  serverCpuPercent: number;
  serverRssBytes: number;
  fleet: FleetResult;
}

async function run(server: ServerProcess): Promise<Run> {
  console.log(`\n[${server.name}] ${M} chargers in transactions, MeterValues (${SAMPLES} values) back to back for ${T} s…`);
  const fleet = await startFleet(
    {
      url: server.ocppUrl, count: M, workers: Number(a.workers), idPrefix: PREFIX, ramp: 'storm', transactions: 'always',
      meterIntervalS: 0, samples: SAMPLES, heartbeatIntervalS: 300, addresses: 1, reconnect: false,
    },
    { onProgress: (line) => console.log(`  [${server.name}] ${line}`) },
  );
  // The window opens once every charger is in its transaction (and flooding).
  const deadline = Date.now() + 120_000;
  while (fleet.snapshot().counters.transactionsStarted < M && Date.now() < deadline) await sleep(50);
  const start = fleet.snapshot();
  const cpuStart = await procSample(server.pid);
  await sleep(T * 1000);
  const end = fleet.snapshot();
  const cpuEnd = await procSample(server.pid);
  const windowS = end.elapsedS - start.elapsedS;
  const result = await fleet.stop();
  const acked = end.counters.meterValuesAcked - start.counters.meterValuesAcked;
  return {
    windowS,
    meterValuesPerS: acked / windowS,
    samplesPerS: (acked * SAMPLES) / windowS,
    serverCpuPercent: cpuPercent(cpuStart, cpuEnd),
    serverRssBytes: cpuEnd.rssBytes,
    fleet: result,
  };
}

async function runBaseline(): Promise<Run> {
  const server = await startBaselineProcess();
  try {
    return await run(server);
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const failures: string[] = [];
  // This machine's speed drifts by ±20 % within minutes: the baseline runs before and after the
  // project, and its figures are the mean of the two.
  const baselines: Run[] = [];
  if (!a['no-baseline']) baselines.push(await runBaseline());
  const db = await createBenchDatabase('ingest');
  let project!: Run;
  let rows = 0;
  try {
    await db.use((d) => seedBenchDatabase(d, { prefix: PREFIX, count: M }));
    const server = await startProjectServer(db.env);
    try {
      project = await run(server);
    } finally {
      const code = await server.stop();
      if (code !== 0) failures.push(`project server exited with code ${code} (log: ${server.logFile})`);
    }
    rows = await db.use(async (d) => Number((await sql<{ n: string }>`select coalesce(sum(cardinality(value)), 0) as n from meter_reading`.execute(d)).rows[0]!.n));
  } finally {
    await db.drop();
  }
  if (!a['no-baseline']) baselines.push(await runBaseline());
  const baseline = (figure: (r: Run) => number | undefined): number | undefined => {
    const values = baselines.map(figure).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((x, y) => x + y, 0) / values.length : undefined;
  };

  const acked = project.fleet.counters.samplesAcked;
  if (rows < acked) failures.push(`LOSS: ${acked} sampled values acknowledged, ${rows} stored (${acked - rows} lost)`);
  if (project.fleet.counters.transactionsStarted < M) failures.push(`only ${project.fleet.counters.transactionsStarted} of ${M} transactions started`);
  const mv = (r: Run) => r.fleet.latency.MeterValues?.summary();
  const errors = (r: Run) => r.fleet.counters.callErrors + r.fleet.counters.callTimeouts + r.fleet.counters.connectFailures + r.fleet.counters.disconnects;
  const table: Row[] = [
    { metric: 'MeterValues/s (acknowledged = committed)', project: project.meterValuesPerS, baseline: baseline((r) => r.meterValuesPerS), better: 'higher', target: '≥ 5,000 on PostgreSQL, ≥ 0.5× baseline' },
    { metric: 'baseline MeterValues/s: run before / after the project', project: '—', baseline: baselines.map((r) => Math.round(r.meterValuesPerS)).join(' / ') },
    { metric: 'sampled values/s committed', project: project.samplesPerS, baseline: baseline((r) => r.samplesPerS), better: 'higher', target: '≥ 30,000 on PostgreSQL' },
    { metric: 'MeterValues p50 (ms)', project: mv(project)?.p50Ms, baseline: baseline((r) => mv(r)?.p50Ms), better: 'lower' },
    { metric: 'MeterValues p99 (ms)', project: mv(project)?.p99Ms, baseline: baseline((r) => mv(r)?.p99Ms), better: 'lower', target: '< 100 ms' },
    { metric: 'sampled values acknowledged (whole run)', project: acked, baseline: baseline((r) => r.fleet.counters.samplesAcked) },
    { metric: 'sampled values stored after the run', project: rows },
    { metric: 'lost (acknowledged, not committed)', project: Math.max(0, acked - rows), target: '0' },
    { metric: 'server CPU in window (% of a core)', project: project.serverCpuPercent, baseline: baseline((r) => r.serverCpuPercent), better: 'lower' },
    { metric: 'server RSS at end of window (MB)', project: mb(project.serverRssBytes), baseline: baseline((r) => mb(r.serverRssBytes)), better: 'lower' },
    { metric: 'errors (CALLERROR, timeout, connect, drop)', project: errors(project), baseline: baselines.length ? baselines.reduce((n, r) => n + errors(r), 0) : undefined, better: 'lower' },
  ];
  printTable(`Telemetry ingest: ${M} chargers × MeterValues of ${SAMPLES} values back to back, ${T} s window — project on ${db.label}`, table);
  if (rows > acked) console.log(`(${rows - acked} values were committed whose acknowledgement the fleet did not wait for: not a loss)`);
  const strip = (r: Run | undefined) => r && { ...r, fleet: fleetSummary(r.fleet) };
  const result = {
    bench: `ingest-${db.kind}`, backend: db.kind, rows: table, failures,
    parameters: { chargers: M, seconds: T, workers: Number(a.workers), samples: SAMPLES },
    details: { valuesStored: rows, project: strip(project), baselines: baselines.map(strip) },
  };
  finish(result, await writeResult(result));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
