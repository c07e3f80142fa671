// Geo search benchmark (issue 5): seeds 100,000 locations with EVSEs, connectors and reference data into
// a throw-away database, then reports p50/p99 latency of a 10 km radius search with filters and of a
// 50-location page read — through the GraphQL API over HTTP when the app serves /graphql, else through
// the repository calls behind it.
//   npm run bench:geo                                   PGlite in memory
//   DATABASE_URL=postgres://… npm run bench:geo         PostgreSQL: creates bench_geo_<ts>, drops it after
//   npm run bench:geo -- --locations 20000 --runs 100

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openScratchDatabase } from './bench/bench-db.ts';
import { CITIES, rng, seed } from './bench-geo-seed.ts';
import { sql } from 'kysely';
import { pino } from 'pino';
import * as apiClientService from '../src/api-clients/api-client.service.ts';
import { createApp, type App } from '../src/app.ts';
import { openBus } from '../src/cluster/open-bus.ts';
import type { ClusterBus } from '../src/cluster/cluster-bus.ts';
import { loadConfig } from '../src/config.ts';
import type { DatabaseHandle } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { findLocationsNear, locationsNearQuery, type LocationSearch } from '../src/map/geo.repository.ts';
import { listen, type RunningServer } from '../src/server.ts';
import * as userService from '../src/users/user.service.ts';

const { values: args } = parseArgs({
  options: {
    locations: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '200' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log('usage: npm run bench:geo [-- --locations N --runs N]   (DATABASE_URL set → PostgreSQL, else PGlite)');
  process.exit(0);
}
const LOCATIONS = Number(args.locations);
const RUNS = Number(args.runs);

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Stats { name: string; via: string; count: number; meanMs: number; p50Ms: number; p99Ms: number; maxMs: number; avgRows: number }

async function measure(name: string, via: string, runs: number, run: (i: number) => Promise<number>): Promise<Stats> {
  for (let i = 0; i < Math.min(10, runs); i++) await run(-1 - i); // warm-up: plans, caches, JIT
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    rows += await run(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    name, via, count: runs, meanMs: round(times.reduce((s, t) => s + t, 0) / runs), p50Ms: round(percentile(times, 50)),
    p99Ms: round(percentile(times, 99)), maxMs: round(times.at(-1)!), avgRows: round(rows / runs),
  };
}



interface GraphqlTarget {
  server: RunningServer;
  app: App;
  bus: ClusterBus;
  basic: string;
  bearer: string;
}

/** The whole app on a random port, with an API client (Basic) and a CPO user (Bearer); undefined without /graphql. */
async function startGraphql(handle: DatabaseHandle): Promise<GraphqlTarget | undefined> {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', NODE_ID: 'bench-geo' });
  const log = pino({ level: 'silent' });
  const bus = await openBus(handle, () => undefined, 'bench-geo');
  const app = await createApp({ config, db: handle.db, databaseKind: handle.kind, bus, log });
  const server = await listen(app, config);
  const stop = async () => {
    await server.close();
    await app.close();
    await bus.close();
  };
  try {
    const probe = await fetch(`${server.httpUrl}/graphql`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }),
    });
    if (probe.status === 404) {
      await stop();
      return undefined;
    }
    const { client, secret } = await apiClientService.issue(handle.db, { name: 'bench-geo' });
    const owner = await handle.db.selectFrom('cpoOwner').select('id').orderBy('id').executeTakeFirstOrThrow();
    const password = 'bench-geo-password-1';
    await userService.createUser(handle.db, { username: 'bench-geo-cpo', password, role: 'CPO_OWNER', cpoOwnerId: Number(owner.id) });
    const login = await fetch(`${server.httpUrl}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-geo-cpo', password }),
    });
    const body = (await login.json()) as { data?: { access_token?: string } };
    if (!body.data?.access_token) throw new Error(`login failed: ${login.status} ${JSON.stringify(body)}`);
    return {
      server, app, bus,
      basic: `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`,
      bearer: `Bearer ${body.data.access_token}`,
    };
  } catch (err) {
    console.log(`GraphQL API not usable (${(err as Error).message}); measuring the repository calls instead`);
    await stop();
    return undefined;
  }
}

async function graphql(target: GraphqlTarget, auth: string, query: string, variables: Record<string, unknown>, field: string): Promise<number> {
  const res = await fetch(`${target.server.httpUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown[]>; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors ?? body)}`);
  return body.data[field]!.length;
}

const FILTER_QUERY = `query($lat: Float, $lng: Float, $distance: Float, $facilities: [String!], $payment_types: [String!]) {
  find_ev_filter_locations(lat: $lat, lng: $lng, distance: $distance, facilities: $facilities, payment_types: $payment_types, limit: 50) {
    id name address_lat address_lng distance city province
    facilities { code } evses { uid status capabilities { code } payment_types { code } connectors { connector_id standard status } }
  }
}`;
// Pages start within the first 5,000 locations the reader may see (the bench CPO user owns one
// location in ten; fewer in a small run), so every page is full.
const PAGE_SPAN = Math.max(1, Math.min(5000, Math.floor(LOCATIONS / 10) - 50));

const PAGE_QUERY = `query($offset: Int) {
  locations(limit: 50, offset: $offset) {
    id name address city province publish
    facilities { code } evses { uid status connectors { connector_id standard status } }
  }
}`;

async function main(): Promise<void> {
  const started = Date.now();
  const { handle, label, drop } = await openScratchDatabase('geo');
  let target: GraphqlTarget | undefined;
  try {
    await migrate(handle.db);
    console.log(`seeding ${LOCATIONS} locations into ${label}…`);
    const seedStarted = performance.now();
    const counts = await seed(handle.db, LOCATIONS);
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;
    console.log(`seeded in ${seedSeconds} s:`, counts);

    const random = rng(7);
    const facilities = ['MALL', 'WIFI', 'CAFE', 'RESTROOM', 'PARKING_LOT', 'RESTAURANTS'];
    const payments = ['GCASH', 'MAYA'];
    const searches: LocationSearch[] = Array.from({ length: RUNS + 10 }, () => {
      const [, , lat, lng] = CITIES[Math.floor(random() * CITIES.length)]!;
      return {
        lat: lat + (random() - 0.5) * 0.1, lng: lng + (random() - 0.5) * 0.1, distanceKm: 10,
        facilities: [facilities[Math.floor(random() * facilities.length)]!], paymentTypes: [payments[Math.floor(random() * payments.length)]!],
        publishedOnly: true, limit: 50, offset: 0,
      };
    });
    const at = (i: number) => searches[(i + searches.length) % searches.length]!;

    const plan = await handle.db.transaction().execute(async (tx) => {
      await sql`set local enable_bitmapscan = off`.execute(tx); // as findLocationsNear runs a radius search
      const { rows } = await sql<Record<string, string>>`explain ${locationsNearQuery(at(0))}`.execute(tx);
      return rows.map((r) => Object.values(r)[0]!);
    });
    const usesIndex = plan.some((line) => line.includes('location_earth_idx'));
    console.log(`EXPLAIN radius query (${usesIndex ? 'uses' : 'does NOT use'} location_earth_idx):\n  ${plan.join('\n  ')}`);

    target = await startGraphql(handle);
    const results: Stats[] = [];
    // The repository figures are always taken: they isolate the SQL from HTTP and GraphQL resolution.
    results.push(await measure('findLocationsNear r=10km +2 filters', 'repository', RUNS, async (i) => (await findLocationsNear(handle.db, at(i))).length));
    results.push(await measure('locations page (limit 50)', 'repository', RUNS, async (i) =>
      (await findLocationsNear(handle.db, { publishedOnly: false, limit: 50, offset: Math.floor(Math.abs(i) * 37) % PAGE_SPAN })).length));
    if (target) {
      const t = target;
      results.push(await measure('find_ev_filter_locations r=10km +2 filters', 'graphql http', RUNS, (i) => {
        const s = at(i);
        return graphql(t, t.basic, FILTER_QUERY, { lat: s.lat, lng: s.lng, distance: 10, facilities: s.facilities, payment_types: s.paymentTypes }, 'find_ev_filter_locations');
      }));
      results.push(await measure('locations(limit: 50)', 'graphql http', RUNS, (i) =>
        graphql(t, t.bearer, PAGE_QUERY, { offset: (Math.abs(i) * 50) % PAGE_SPAN }, 'locations')));
    } else {
      console.log('GraphQL API not available: only the repository calls were measured');
    }

    console.log(`\n${label}, ${counts.location} locations, ${counts.evse} EVSEs, ${counts.connector} connectors`);
    console.table(results);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join('bench-results', `geo-${stamp}.json`);
    await mkdir('bench-results', { recursive: true });
    await writeFile(file, JSON.stringify({ at: new Date().toISOString(), backend: handle.kind, label, seedSeconds, counts, usesIndex, plan, results, totalSeconds: (Date.now() - started) / 1000 }, null, 2));
    console.log(`written ${file}`);
  } finally {
    if (target) {
      await target.server.close();
      await target.app.close();
      await target.bus.close();
    }
    await handle.close();
    if (!process.env.BENCH_KEEP) await drop(); else console.log("kept", label);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
