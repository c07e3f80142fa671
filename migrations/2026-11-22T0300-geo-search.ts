import { sql, type Kysely } from 'kysely';

// Frozen in time: indexes for the map's geo search (earthdistance over cube, GiST) and city lookups.
//
// ll_to_earth(float8, float8) and the numeric → float8 casts are all IMMUTABLE (earthdistance 1.1 on
// PostgreSQL 15, and the same extension in PGlite), so the expression can be indexed directly; the
// queries must spell it exactly the same way to match the index:
//   ll_to_earth(address_lat::float8, address_lng::float8)

export async function up(db: Kysely<unknown>): Promise<void> {
  // Radius search (earth_box(...) @> point) and nearest-first ordering (point <-> point, GiST KNN).
  await sql`
    create index location_earth_idx on location
      using gist (ll_to_earth(address_lat::float8, address_lng::float8))`.execute(db);
  // location_province_city_idx leads with province; a city-only filter needs its own.
  await sql`create index location_city_idx on location (lower(city))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists location_city_idx`.execute(db);
  await sql`drop index if exists location_earth_idx`.execute(db);
}
