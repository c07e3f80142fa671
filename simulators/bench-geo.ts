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
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import * as apiClientService from '../src/api-clients/api-client.service.ts';
import { createApp, type App } from '../src/app.ts';
import { openBus } from '../src/cluster/open-bus.ts';
import type { ClusterBus } from '../src/cluster/cluster-bus.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database, type DatabaseHandle } from '../src/db/database.ts';
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

// Dense clusters (most locations) around real cities; the rest spread over the whole archipelago box.
const CITIES: Array<[city: string, province: string, lat: number, lng: number, weight: number]> = [
  ['Makati', 'Metro Manila', 14.5547, 121.0244, 0.25],
  ['Quezon City', 'Metro Manila', 14.676, 121.0437, 0.15],
  ['Cebu City', 'Cebu', 10.3157, 123.8854, 0.1],
  ['Davao City', 'Davao del Sur', 7.1907, 125.4553, 0.08],
  ['Baguio', 'Benguet', 16.4023, 120.596, 0.04],
  ['Iloilo City', 'Iloilo', 10.7202, 122.5621, 0.04],
  ['Cagayan de Oro', 'Misamis Oriental', 8.4542, 124.6319, 0.04],
];

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

/** Deterministic pseudo-random numbers, so both backends see the same queries. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openBenchDatabase(): Promise<{ handle: DatabaseHandle; label: string; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const handle = await openDatabase({ pgliteDir: 'memory://' });
    return { handle, label: 'pglite (memory)', drop: async () => undefined };
  }
  const name = `bench_geo_${Date.now()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolSize: 10 });
  return {
    handle,
    label: `postgresql (${name})`,
    drop: async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await admin(`drop database if exists ${name}`);
        } catch (err) {
          if ((err as { code?: string }).code !== '55006' || attempt >= 50) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

/** Bulk seed with set-based SQL (generate_series): a few statements, each writing every row at once. */
async function seed(db: Database, locations: number): Promise<Record<string, number>> {
  await sql`select setseed(0.42)`.execute(db);
  await sql`
    insert into cpo_owner (name, country_code, party_id)
    select 'Bench CPO ' || i, 'PH', 'B' || lpad(i::text, 2, '0') from generate_series(1, 10) i`.execute(db);

  const cities = CITIES.map(([city, province, lat, lng, weight]) => sql`(${city}, ${province}, ${lat}::float8, ${lng}::float8, ${weight}::float8)`);
  // Cumulative weights pick a cluster; about 30 % of the rows land anywhere in lat 5–19, lng 117–127.
  await sql`
    with city(city, province, lat, lng, weight) as (values ${sql.join(cities)}),
    cum as (select *, sum(weight) over (order by city) as upto from city),
    g as (select i, random() as pick, random() as a, random() as b, random() as c from generate_series(1, ${locations}) i)
    insert into location (cpo_owner_id, name, address, address_lat, address_lng, city, province, country_code, publish)
    select (select id from cpo_owner order by id offset (g.i % 10) limit 1),
           'Bench location ' || g.i, g.i || ' Bench Street',
           round(coalesce(k.lat + (g.a - 0.5) * 0.4 * sqrt(g.c), 5 + g.a * 14)::numeric, 6),
           round(coalesce(k.lng + (g.b - 0.5) * 0.4 * sqrt(g.c), 117 + g.b * 10)::numeric, 6),
           coalesce(k.city, 'Rural ' || (g.i % 500)), coalesce(k.province, 'Province ' || (g.i % 80)), 'PH', g.c < 0.85
      from g
      left join lateral (select * from cum where cum.upto > g.pick order by cum.upto limit 1) k on true`.execute(db);

  await sql`
    insert into evse (uid, evse_id, location_id, status)
    select 'BG-' || l.id || '-' || n, 'PH*BEN*E' || l.id || '*' || n, l.id, 'AVAILABLE'
      from location l, generate_series(1, 1 + ((l.id * 7919) % 4)::int) n`.execute(db);
  await sql`
    insert into connector (evse_id, connector_id, standard, connector_type, format, power_type, max_voltage, max_amperage, max_electric_power)
    select e.id, n, t.standard, t.standard, t.format, t.power_type, t.volts, t.amps, t.watts
      from evse e
      cross join generate_series(1, 1 + (e.id % 2)::int) n
      join (values (0, 'TYPE_2', 'SOCKET', 'AC_3_PHASE', 400, 32, 22000), (1, 'CCS2', 'CABLE', 'DC', 920, 200, 150000),
                   (2, 'CHADEMO', 'CABLE', 'DC', 500, 125, 50000), (3, 'TYPE_1', 'CABLE', 'AC_1_PHASE', 230, 32, 7000))
           as t(k, standard, format, power_type, volts, amps, watts) on t.k = (e.id + n) % 4`.execute(db);

  await sql`insert into location_facility (location_id, facility_id) select l.id, f.id from location l, facility f where random() < 0.25`.execute(db);
  await sql`insert into location_parking_type (location_id, parking_type_id) select l.id, p.id from location l, parking_type p where random() < 0.5`.execute(db);
  await sql`insert into location_parking_restriction (location_id, parking_restriction_id) select l.id, p.id from location l, parking_restriction p where random() < 0.15`.execute(db);
  await sql`insert into evse_capability (evse_id, capability_id) select e.id, c.id from evse e, capability c where random() < 0.5`.execute(db);
  await sql`insert into evse_payment_type (evse_id, payment_type_id) select e.id, p.id from evse e, payment_type p where random() < 0.6`.execute(db);
  await sql`analyze`.execute(db);

  const counts: Record<string, number> = {};
  for (const table of ['location', 'evse', 'connector', 'location_facility', 'evse_capability', 'evse_payment_type']) {
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
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
const PAGE_QUERY = `query($offset: Int) {
  locations(limit: 50, offset: $offset) {
    id name address city province publish
    facilities { code } evses { uid status connectors { connector_id standard status } }
  }
}`;

async function main(): Promise<void> {
  const started = Date.now();
  const { handle, label, drop } = await openBenchDatabase();
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
      (await findLocationsNear(handle.db, { publishedOnly: false, limit: 50, offset: Math.floor(Math.abs(i) * 37) % 5000 })).length));
    if (target) {
      const t = target;
      results.push(await measure('find_ev_filter_locations r=10km +2 filters', 'graphql http', RUNS, (i) => {
        const s = at(i);
        return graphql(t, t.basic, FILTER_QUERY, { lat: s.lat, lng: s.lng, distance: 10, facilities: s.facilities, payment_types: s.paymentTypes }, 'find_ev_filter_locations');
      }));
      results.push(await measure('locations(limit: 50)', 'graphql http', RUNS, (i) =>
        graphql(t, t.bearer, PAGE_QUERY, { offset: (Math.abs(i) * 50) % 5000 }, 'locations')));
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
