// Connections held (issue 8, benchmark 1): a boot storm of N chargers (all at once), then heartbeats.
// Reports the time until every BootNotification is Accepted and persisted (charge_point.last_boot_at),
// the server's RSS per connected charger and its CPU at steady state; then the same load against the
// bare ocpp-rpc baseline.
//   npm run bench:connections                              2,000 chargers, PGlite in a temp dir
//   DATABASE_URL=postgres://… npm run bench:connections    PostgreSQL: bench_connections_<ts>, dropped after
//   npm run bench:connections -- --chargers 20000          the target size

import { readdir, readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { startFleet, type FleetResult } from '../fleet/fleet.ts';
import { within } from './deadline.ts';
import { createBenchDatabase, seedBenchDatabase, type BenchDatabase } from './bench-db.ts';
import { finish, fleetSummary, mb, printTable, writeResult, type Row } from './bench-report.ts';
import { cpuOver, procSample, startBaselineProcess, startProjectServer, type ServerProcess } from './bench-server.ts';

const { values: a } = parseArgs({
  options: {
    chargers: { type: 'string', default: '2000' },
    workers: { type: 'string', default: '2' },
    heartbeat: { type: 'string', default: '60' },
    steady: { type: 'string', default: '10' },
    'boot-timeout': { type: 'string', default: '300' },
    addresses: { type: 'string' },
    'no-baseline': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npm run bench:connections [-- --chargers N --workers N --heartbeat S --steady S --boot-timeout S --addresses N --no-baseline]');
  process.exit(0);
}
const N = Number(a.chargers);
const HEARTBEAT_S = Number(a.heartbeat);
const STEADY_S = Number(a.steady);
const BOOT_TIMEOUT_MS = Number(a['boot-timeout']) * 1000;
const ADDRESSES = a.addresses ? Number(a.addresses) : Math.ceil(N / 5000);
const PREFIX = 'BC-';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  connected: number;
  bootSeconds: number | undefined;
  persistedSeconds: number | undefined;
  persistedRows: number | undefined;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerChargerBytes: number;
  steadyCpuPercent: number;
  heartbeatsPerSecond: number;
  fleet: FleetResult;
}

const countBooted = async (db: BenchDatabase) =>
  db.use(async (d) => Number((await sql<{ n: string }>`select count(*) as n from charge_point where last_boot_at is not null and id like ${`${PREFIX}%`}`.execute(d)).rows[0]!.n));

/** PostgreSQL only (PGlite cannot be opened beside the server): epoch ms when every boot is in the table. */
function watchPersisted(db: BenchDatabase, deadline: number): Promise<number | undefined> {
  return db.use(async (d) => {
    while (Date.now() < deadline) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from charge_point where last_boot_at is not null and id like ${`${PREFIX}%`}`.execute(d);
      if (Number(rows[0]!.n) >= N) return Date.now();
      await sleep(100);
    }
    return undefined;
  });
}

/**
 * Every charger is a socket, so a server's open-file limit caps the fleet it can hold (in this sandbox
 * 20,000, not raisable): beyond it, fail at once with the largest size that fits rather than let
 * the surplus chargers retry until the boot timeout.
 */
async function assertFdRoom(server: ServerProcess): Promise<void> {
  const limit = Number(/Max open files\s+(\d+)/.exec(await readFile(`/proc/${server.pid}/limits`, 'utf8'))?.[1]);
  const open = (await readdir(`/proc/${server.pid}/fd`)).length;
  if (open + N > limit) {
    throw new Error(`the ${server.name} server may open ${limit} files and has ${open} open: ${N} chargers do not fit (at most ${limit - open - 10})`);
  }
}

async function run(server: ServerProcess, db?: BenchDatabase): Promise<Run> {
  await sleep(1000);
  await assertFdRoom(server);
  const before = await procSample(server.pid);
  console.log(`\n[${server.name}] boot storm of ${N} chargers (${a.workers} workers, ${ADDRESSES} source addresses)…`);
  const fleet = await startFleet(
    { url: server.ocppUrl, count: N, workers: Number(a.workers), idPrefix: PREFIX, ramp: 'storm', heartbeatIntervalS: HEARTBEAT_S, addresses: ADDRESSES, transactions: 'none' },
    { onProgress: (line) => console.log(`  [${server.name}] ${line}`) },
  );
  const deadline = fleet.t0 + BOOT_TIMEOUT_MS;
  const persisted = db?.kind === 'postgres' ? watchPersisted(db, deadline) : Promise.resolve(undefined);
  const bootedAt = await within(fleet.allBooted, BOOT_TIMEOUT_MS);
  const persistedAt = await persisted;
  // Let the boot's StatusNotifications finish before measuring the steady state. (Not "nothing in
  // flight": with the heartbeats spread over the interval, a few are always on their way.)
  while (fleet.snapshot().counters.statusReported < N && Date.now() < deadline) await sleep(100);
  await sleep(2000);
  const callsBefore = fleet.snapshot().counters.callsSent;
  const steady = await cpuOver(server.pid, STEADY_S * 1000);
  const snap = fleet.snapshot();
  const heartbeatsPerSecond = (snap.counters.callsSent - callsBefore) / STEADY_S;
  const result = await fleet.stop();
  return {
    connected: snap.counters.connected,
    bootSeconds: bootedAt === undefined ? undefined : (bootedAt - fleet.t0) / 1000,
    persistedSeconds: persistedAt === undefined ? undefined : (persistedAt - fleet.t0) / 1000,
    persistedRows: undefined,
    rssBeforeBytes: before.rssBytes,
    rssAfterBytes: steady.rssBytes,
    rssPerChargerBytes: (steady.rssBytes - before.rssBytes) / Math.max(1, snap.counters.connected),
    steadyCpuPercent: steady.cpuPercent,
    heartbeatsPerSecond,
    fleet: result,
  };
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const db = await createBenchDatabase('connections');
  let project!: Run;
  try {
    await db.use((d) => seedBenchDatabase(d, { prefix: PREFIX, count: N }));
    const server = await startProjectServer({ ...db.env, OCPP_HEARTBEAT_INTERVAL_S: String(HEARTBEAT_S) });
    try {
      project = await run(server, db);
    } finally {
      const code = await server.stop();
      if (code !== 0) failures.push(`project server exited with code ${code} (log: ${server.logFile})`);
    }
    // Every acknowledged boot must be in the table (on PGlite this is the only check: after the server stopped).
    project.persistedRows = await countBooted(db);
  } finally {
    await db.drop();
  }
  let baseline: Run | undefined;
  if (!a['no-baseline']) {
    const server = await startBaselineProcess();
    try {
      baseline = await run(server);
    } finally {
      await server.stop();
    }
  }

  if (project.connected < N) failures.push(`project held ${project.connected} of ${N} connections`);
  if (project.bootSeconds === undefined) failures.push(`not every charger was Accepted within ${a['boot-timeout']} s`);
  if (project.persistedRows !== N) failures.push(`${project.persistedRows} of ${N} boots persisted (charge_point.last_boot_at)`);
  const errors = (r: Run) => r.fleet.counters.connectFailures + r.fleet.counters.callErrors + r.fleet.counters.callTimeouts + r.fleet.counters.disconnects;
  const boot = (r: Run | undefined) => r?.fleet.latency.BootNotification?.summary();
  const rows: Row[] = [
    { metric: 'chargers connected (held)', project: project.connected, baseline: baseline?.connected, better: 'higher' },
    { metric: 'boot storm: all Accepted (s)', project: project.bootSeconds, baseline: baseline?.bootSeconds, better: 'lower', target: N >= 20000 ? '< 60 s' : '' },
    { metric: 'boot storm: all persisted (s)', project: project.persistedSeconds ?? (project.persistedRows === N ? 'verified after stop' : 'NO'), better: 'lower', target: N >= 20000 ? '< 60 s' : '' },
    { metric: 'BootNotification p50 (ms)', project: boot(project)?.p50Ms, baseline: boot(baseline)?.p50Ms, better: 'lower' },
    { metric: 'BootNotification p99 (ms)', project: boot(project)?.p99Ms, baseline: boot(baseline)?.p99Ms, better: 'lower' },
    { metric: 'server RSS idle (MB)', project: mb(project.rssBeforeBytes), baseline: baseline && mb(baseline.rssBeforeBytes), better: 'lower' },
    { metric: 'server RSS with fleet (MB)', project: mb(project.rssAfterBytes), baseline: baseline && mb(baseline.rssAfterBytes), better: 'lower' },
    { metric: 'server RSS per charger (KB)', project: project.rssPerChargerBytes / 1024, baseline: baseline && baseline.rssPerChargerBytes / 1024, better: 'lower', target: '< 40 KB' },
    { metric: `steady CPU, ${STEADY_S} s of heartbeats (% of a core)`, project: project.steadyCpuPercent, baseline: baseline?.steadyCpuPercent, better: 'lower' },
    { metric: 'calls/s during steady window', project: project.heartbeatsPerSecond, baseline: baseline?.heartbeatsPerSecond },
    { metric: 'errors (connect, CALLERROR, timeout, drop)', project: errors(project), baseline: baseline && errors(baseline), better: 'lower' },
  ];
  const backend = db.label;
  printTable(`Connections held: boot storm of ${N} chargers, heartbeat every ${HEARTBEAT_S} s — project on ${backend}`, rows);
  const strip = (r: Run | undefined) => r && { ...r, fleet: fleetSummary(r.fleet) };
  const result = {
    bench: `connections-${db.kind}`, backend: db.kind, rows, failures,
    parameters: { chargers: N, workers: Number(a.workers), heartbeatS: HEARTBEAT_S, steadyS: STEADY_S, addresses: ADDRESSES },
    details: { project: strip(project), baseline: strip(baseline) },
  };
  finish(result, await writeResult(result));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
