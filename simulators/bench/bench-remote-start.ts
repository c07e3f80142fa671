// Remote start round trip under load (issue 8, benchmark 3): K chargers connected and heartbeating,
// then R remote starts one after another through the operator REST API:
//   POST /api/v1/chargers/:id/commands/RemoteStartTransaction → the charger answers Accepted and sends
//   StartTransaction → GET /api/v1/transactions?charge_point_id=:id polled until the transaction shows.
// Reports p50/p99 of that whole round trip (and of the command call alone). No baseline: a bare
// ocpp-rpc server has no REST API or transactions to compare with, so only the project is measured.
//   npm run bench:remote-start                                 1,000 chargers, 200 starts, PGlite
//   DATABASE_URL=postgres://… npm run bench:remote-start -- --chargers 10000

import { parseArgs } from 'node:util';
import { chargerId, startFleet } from '../fleet/fleet.ts';
import { LatencyHistogram } from '../fleet/latency-histogram.ts';
import { within } from './deadline.ts';
import { BENCH_OPERATOR, createBenchDatabase, seedBenchDatabase } from './bench-db.ts';
import { finish, fleetSummary, mb, printTable, writeResult, type Row } from './bench-report.ts';
import { cpuPercent, procSample, startProjectServer, type ServerProcess } from './bench-server.ts';

const { values: a } = parseArgs({
  options: {
    chargers: { type: 'string', default: '1000' },
    starts: { type: 'string', default: '200' },
    workers: { type: 'string', default: '2' },
    heartbeat: { type: 'string', default: '60' },
    'poll-ms': { type: 'string', default: '2' },
    help: { type: 'boolean', default: false },
  },
});
if (a.help) {
  console.log('usage: npm run bench:remote-start [-- --chargers K --starts R --workers N --heartbeat S --poll-ms MS]');
  process.exit(0);
}
const K = Number(a.chargers);
const R = Math.min(Number(a.starts), K);
const POLL_MS = Number(a['poll-ms']);
const PREFIX = 'BR-';
const ROUND_TRIP_TIMEOUT_MS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const idTag = (i: number) => `BR-TAG-${String(i + 1).padStart(5, '0')}`;

async function api(server: ServerProcess, method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: { data?: unknown } }> {
  const res = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown } };
}

async function main(): Promise<void> {
  const failures: string[] = [];
  const db = await createBenchDatabase('remote_start');
  const roundTrip = new LatencyHistogram();
  const command = new LatencyHistogram();
  let details: Record<string, unknown> = {};
  let cpu = NaN;
  let rss = NaN;
  try {
    await db.use((d) => seedBenchDatabase(d, { prefix: PREFIX, count: K }, { idTags: Array.from({ length: R }, (_, i) => idTag(i)) }));
    const server = await startProjectServer({ ...db.env, OCPP_HEARTBEAT_INTERVAL_S: String(Number(a.heartbeat)) });
    try {
      console.log(`\n[project] connecting ${K} chargers…`);
      const fleet = await startFleet(
        {
          url: server.ocppUrl, count: K, workers: Number(a.workers), idPrefix: PREFIX, ramp: 'storm', transactions: 'remote',
          heartbeatIntervalS: Number(a.heartbeat), meterIntervalS: 60, addresses: Math.ceil(K / 5000),
        },
        { onProgress: (line) => console.log(`  [project] ${line}`) },
      );
      const booted = await within(fleet.allBooted, 300_000);
      if (booted === undefined) failures.push('not every charger booted within 300 s');
      // The boot's StatusNotifications answered (not "nothing in flight", which heartbeats rarely allow).
      const settleBy = Date.now() + 60_000;
      while (fleet.snapshot().counters.statusReported < K && Date.now() < settleBy) await sleep(100);
      await sleep(2000);

      const login = await api(server, 'POST', '/api/v1/auth/login', undefined, BENCH_OPERATOR);
      const token = (login.body.data as { access_token?: string } | undefined)?.access_token;
      if (!token) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);

      console.log(`[project] ${R} remote starts, one after another…`);
      const cpuStart = await procSample(server.pid);
      let rejected = 0;
      let timedOut = 0;
      for (let i = 0; i < R; i++) {
        const id = chargerId(PREFIX, Math.floor((i * K) / R));
        const started = performance.now();
        const answer = await api(server, 'POST', `/api/v1/chargers/${id}/commands/RemoteStartTransaction`, token, { idTag: idTag(i), connectorId: 1 });
        command.record(performance.now() - started);
        const status = (answer.body.data as { response?: { status?: string } } | undefined)?.response?.status;
        if (answer.status !== 200 || status !== 'Accepted') {
          rejected++;
          if (rejected <= 3) console.log(`  ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
          continue;
        }
        for (;;) {
          const list = await api(server, 'GET', `/api/v1/transactions?charge_point_id=${encodeURIComponent(id)}`, token);
          if (Array.isArray(list.body.data) && list.body.data.length > 0) {
            roundTrip.record(performance.now() - started);
            break;
          }
          if (performance.now() - started > ROUND_TRIP_TIMEOUT_MS) {
            timedOut++;
            break;
          }
          await sleep(POLL_MS);
        }
      }
      const cpuEnd = await procSample(server.pid);
      cpu = cpuPercent(cpuStart, cpuEnd);
      rss = cpuEnd.rssBytes;
      const connected = fleet.snapshot().counters.connected;
      const result = await fleet.stop();
      if (rejected) failures.push(`${rejected} of ${R} remote starts not answered Accepted`);
      if (timedOut) failures.push(`${timedOut} transactions not visible within ${ROUND_TRIP_TIMEOUT_MS} ms`);
      if (connected < K) failures.push(`only ${connected} of ${K} chargers connected during the starts`);
      details = { connected, fleet: fleetSummary(result), roundTrip: roundTrip.summary(), command: command.summary(), logFile: server.logFile };
    } finally {
      const code = await server.stop();
      if (code !== 0) failures.push(`project server exited with code ${code} (log: ${server.logFile})`);
    }
  } finally {
    await db.drop();
  }

  const rt = roundTrip.summary();
  const cmd = command.summary();
  const rows: Row[] = [
    { metric: 'round trip p50 (ms): REST → RemoteStart → StartTransaction → visible', project: rt.p50Ms, better: 'lower' },
    { metric: 'round trip p99 (ms)', project: rt.p99Ms, better: 'lower', target: '< 50 ms with 10,000 chargers' },
    { metric: 'round trip max (ms)', project: rt.maxMs, better: 'lower' },
    { metric: 'command call alone p50 (ms)', project: cmd.p50Ms, better: 'lower' },
    { metric: 'command call alone p99 (ms)', project: cmd.p99Ms, better: 'lower' },
    { metric: 'round trips completed', project: rt.count },
    { metric: 'server CPU during the starts (% of a core)', project: cpu, better: 'lower' },
    { metric: 'server RSS (MB)', project: mb(rss), better: 'lower' },
  ];
  printTable(`Remote start round trip: ${R} starts with ${K} chargers connected (heartbeat ${a.heartbeat} s) — project on ${db.label}; no baseline (a bare ocpp-rpc server has no REST API)`, rows);
  const result = {
    bench: `remote-start-${db.kind}`, backend: db.kind, rows, failures,
    parameters: { chargers: K, starts: R, workers: Number(a.workers), heartbeatS: Number(a.heartbeat), pollMs: POLL_MS },
    details,
  };
  finish(result, await writeResult(result));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
