// Seeding for the geo benchmark (simulators/bench-geo.ts): a throw-away database and 100,000-odd
// locations with EVSEs, connectors and reference codes, written with set-based SQL.

import { sql } from 'kysely';
import type { Database } from '../src/db/database.ts';

// Dense clusters (most locations) around real cities; the rest spread over the whole archipelago box.
export const CITIES: Array<[city: string, province: string, lat: number, lng: number, weight: number]> = [
  ['Makati', 'Metro Manila', 14.5547, 121.0244, 0.25],
  ['Quezon City', 'Metro Manila', 14.676, 121.0437, 0.15],
  ['Cebu City', 'Cebu', 10.3157, 123.8854, 0.1],
  ['Davao City', 'Davao del Sur', 7.1907, 125.4553, 0.08],
  ['Baguio', 'Benguet', 16.4023, 120.596, 0.04],
  ['Iloilo City', 'Iloilo', 10.7202, 122.5621, 0.04],
  ['Cagayan de Oro', 'Misamis Oriental', 8.4542, 124.6319, 0.04],
];


/** Deterministic pseudo-random numbers, so both backends see the same queries. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


/** Bulk seed with set-based SQL (generate_series): a few statements, each writing every row at once. */
export async function seed(db: Database, locations: number): Promise<Record<string, number>> {
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
