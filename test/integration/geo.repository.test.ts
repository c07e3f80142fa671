import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { findLocationsNear, locationsNearQuery, type LocationSearch } from '../../src/map/geo.repository.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const MAKATI = { lat: 14.5547, lng: 121.0244 };
const KM_PER_DEG_LAT = 111.195; // on a 6371 km sphere

// Points at known offsets from Makati, and one far away.
const POINTS = {
  A: { lat: MAKATI.lat, lng: MAKATI.lng },
  B: { lat: MAKATI.lat + 1 / KM_PER_DEG_LAT, lng: MAKATI.lng }, // ~1 km north
  C: { lat: MAKATI.lat, lng: MAKATI.lng + 5 / (KM_PER_DEG_LAT * Math.cos((MAKATI.lat * Math.PI) / 180)) }, // ~5 km east
  D: { lat: MAKATI.lat - 20 / KM_PER_DEG_LAT, lng: MAKATI.lng }, // ~20 km south
  E: { lat: 10.3157, lng: 123.8854 }, // Cebu City, ~570 km
};
type Name = keyof typeof POINTS;

function haversineKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(r(b.lat - a.lat) / 2) ** 2 + Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(r(b.lng - a.lng) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

let handle: DatabaseHandle;
const ids = {} as Record<Name, number>;
const owners: number[] = [];
const nameOf = new Map<number, Name>();

async function refIds(table: 'facility' | 'capability' | 'paymentType' | 'parkingType' | 'parkingRestriction', codes: string[]) {
  if (!codes.length) return [];
  const rows = await handle.db.selectFrom(table).select(['id', 'code']).where('code', 'in', codes).execute();
  expect(rows).toHaveLength(codes.length);
  return rows.map((r) => r.id);
}

interface Seed {
  owner: 0 | 1;
  publish: boolean;
  city: string | null;
  province: string | null;
  facilities?: string[];
  parkingTypes?: string[];
  parkingRestrictions?: string[];
  evses: Array<{ capabilities?: string[]; paymentTypes?: string[]; connectors: Array<{ standard: string; connectorType: string | null }> }>;
}

async function seed(name: Name, s: Seed): Promise<void> {
  const db = handle.db;
  const p = POINTS[name];
  const loc = await db
    .insertInto('location')
    .values({
      cpoOwnerId: owners[s.owner]!, name: `Loc ${name}`, address: `${name} street`, addressLat: p.lat.toFixed(6), addressLng: p.lng.toFixed(6),
      city: s.city, province: s.province, countryCode: 'PH', publish: s.publish,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const locationId = Number(loc.id);
  ids[name] = locationId;
  nameOf.set(locationId, name);
  for (const facilityId of await refIds('facility', s.facilities ?? [])) await db.insertInto('locationFacility').values({ locationId, facilityId }).execute();
  for (const parkingTypeId of await refIds('parkingType', s.parkingTypes ?? [])) await db.insertInto('locationParkingType').values({ locationId, parkingTypeId }).execute();
  for (const parkingRestrictionId of await refIds('parkingRestriction', s.parkingRestrictions ?? [])) {
    await db.insertInto('locationParkingRestriction').values({ locationId, parkingRestrictionId }).execute();
  }
  let n = 0;
  for (const e of s.evses) {
    const evse = await db.insertInto('evse').values({ uid: `GEO-${name}-${++n}`, locationId }).returning('id').executeTakeFirstOrThrow();
    const evseId = Number(evse.id);
    for (const capabilityId of await refIds('capability', e.capabilities ?? [])) await db.insertInto('evseCapability').values({ evseId, capabilityId }).execute();
    for (const paymentTypeId of await refIds('paymentType', e.paymentTypes ?? [])) await db.insertInto('evsePaymentType').values({ evseId, paymentTypeId }).execute();
    let c = 0;
    for (const conn of e.connectors) {
      await db
        .insertInto('connector')
        .values({
          evseId, connectorId: ++c, standard: conn.standard, connectorType: conn.connectorType, format: 'CABLE', powerType: 'DC',
          maxVoltage: 400, maxAmperage: 100, maxElectricPower: 50000,
        })
        .execute();
    }
  }
}

beforeAll(async () => {
  handle = await createTestDatabase();
  for (const [name, party] of [['Owner One', 'ONE'], ['Owner Two', 'TWO']] as const) {
    const row = await handle.db.insertInto('cpoOwner').values({ name, countryCode: 'PH', partyId: party }).returning('id').executeTakeFirstOrThrow();
    owners.push(Number(row.id));
  }
  await seed('A', {
    owner: 0, publish: true, city: 'Makati', province: 'Metro Manila', facilities: ['MALL', 'WIFI'], parkingTypes: ['INDOOR'], parkingRestrictions: ['EV_ONLY'],
    evses: [{ capabilities: ['QR_READER', 'CREDIT_DEBIT_PAYABLE'], paymentTypes: ['GCASH'], connectors: [{ standard: 'CCS2', connectorType: 'CCS2' }, { standard: 'TYPE_2', connectorType: 'TYPE_2' }] }],
  });
  await seed('B', {
    owner: 0, publish: true, city: 'makati', province: 'METRO MANILA', facilities: ['WIFI'], parkingTypes: ['OUTDOOR'],
    evses: [
      { capabilities: ['QR_READER'], paymentTypes: ['MAYA'], connectors: [{ standard: 'CHADEMO', connectorType: 'CHADEMO' }] },
      { capabilities: ['CREDIT_DEBIT_PAYABLE'], connectors: [{ standard: 'CHADEMO', connectorType: null }] },
    ],
  });
  await seed('C', {
    owner: 1, publish: false, city: 'Pasig', province: null, facilities: ['MALL', 'CAFE'],
    evses: [{ connectors: [{ standard: 'TYPE_2', connectorType: null }] }],
  });
  await seed('D', {
    owner: 1, publish: true, city: 'Muntinlupa', province: 'Metro Manila',
    evses: [
      { capabilities: ['QR_READER', 'CREDIT_DEBIT_PAYABLE', 'PRIVILEGE_AND_LOYALTY'], paymentTypes: ['GCASH', 'MAYA'], connectors: [{ standard: 'CCS2', connectorType: 'CCS2' }] },
      { connectors: [{ standard: 'TYPE_2', connectorType: 'TYPE_2' }] },
    ],
  });
  await seed('E', { owner: 0, publish: true, city: 'Cebu City', province: 'Cebu', facilities: ['MALL'], evses: [] });
});
afterAll(async () => {
  await handle?.close();
});

const base: LocationSearch = { publishedOnly: false, limit: 50, offset: 0 };
async function names(q: Partial<LocationSearch>): Promise<Name[]> {
  const hits = await findLocationsNear(handle.db, { ...base, ...q });
  return hits.map((h) => nameOf.get(h.id)!);
}

describe('findLocationsNear', () => {
  it('orders by distance from a point and reports distances within 1% of haversine', async () => {
    const hits = await findLocationsNear(handle.db, { ...base, ...MAKATI });
    expect(hits.map((h) => nameOf.get(h.id))).toEqual(['A', 'B', 'C', 'D', 'E']);
    for (const hit of hits) {
      const expected = haversineKm(MAKATI, POINTS[nameOf.get(hit.id)!]);
      expect(hit.distanceKm).not.toBeNull();
      expect(Math.abs(hit.distanceKm! - expected)).toBeLessThanOrEqual(Math.max(0.001, expected * 0.01));
    }
    expect(hits[0]!.distanceKm).toBe(0);
    expect(hits[1]!.distanceKm).toBeCloseTo(1, 1);
    expect(hits[2]!.distanceKm).toBeCloseTo(5, 1);
    expect(hits[3]!.distanceKm).toBeCloseTo(20, 0);
  });

  it('cuts off at the radius', async () => {
    expect(await names({ ...MAKATI, distanceKm: 0.5 })).toEqual(['A']);
    expect(await names({ ...MAKATI, distanceKm: 3 })).toEqual(['A', 'B']);
    expect(await names({ ...MAKATI, distanceKm: 10 })).toEqual(['A', 'B', 'C']);
    expect(await names({ ...MAKATI, distanceKm: 19.5 })).toEqual(['A', 'B', 'C']);
    expect(await names({ ...MAKATI, distanceKm: 20.5 })).toEqual(['A', 'B', 'C', 'D']);
    expect(await names({ ...MAKATI, distanceKm: 1000 })).toEqual(['A', 'B', 'C', 'D', 'E']);
    // From Cebu the order turns round.
    const fromCebu = (['A', 'B', 'C', 'D', 'E'] as Name[]).sort((x, y) => haversineKm(POINTS.E, POINTS[x]) - haversineKm(POINTS.E, POINTS[y]));
    expect(fromCebu[0]).toBe('E');
    expect(await names({ ...POINTS.E, distanceKm: 600 })).toEqual(fromCebu);
  });

  it('without a point: by id, no distance', async () => {
    const hits = await findLocationsNear(handle.db, base);
    expect(hits.map((h) => nameOf.get(h.id))).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(hits.every((h) => h.distanceKm === null)).toBe(true);
    // A radius without a point means nothing.
    expect(await names({ distanceKm: 1 })).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('publishedOnly and cpoOwnerId', async () => {
    expect(await names({ publishedOnly: true })).toEqual(['A', 'B', 'D', 'E']);
    expect(await names({ ...MAKATI, distanceKm: 10, publishedOnly: true })).toEqual(['A', 'B']);
    expect(await names({ cpoOwnerId: owners[1]! })).toEqual(['C', 'D']);
    expect(await names({ cpoOwnerId: owners[1]!, publishedOnly: true })).toEqual(['D']);
    expect(await names({ cpoOwnerId: 999_999 })).toEqual([]);
  });

  it('city and province, case-insensitive', async () => {
    expect(await names({ city: 'MAKATI' })).toEqual(['A', 'B']);
    expect(await names({ city: 'cebu city' })).toEqual(['E']);
    expect(await names({ province: 'metro manila' })).toEqual(['A', 'B', 'D']);
    expect(await names({ province: 'Metro Manila', city: 'Muntinlupa' })).toEqual(['D']);
    expect(await names({ city: 'Nowhere' })).toEqual([]);
  });

  it('location-level lists: all codes, case-insensitive', async () => {
    expect(await names({ facilities: ['mall'] })).toEqual(['A', 'C', 'E']);
    expect(await names({ facilities: ['MALL', 'wifi'] })).toEqual(['A']);
    expect(await names({ facilities: ['MALL', 'MALL'] })).toEqual(['A', 'C', 'E']);
    expect(await names({ facilities: ['MALL', 'POOL'] })).toEqual([]);
    expect(await names({ facilities: ['NO_SUCH_THING'] })).toEqual([]);
    expect(await names({ facilities: [] })).toEqual(['A', 'B', 'C', 'D', 'E']);
    expect(await names({ parkingTypes: ['outdoor'] })).toEqual(['B']);
    expect(await names({ parkingTypes: ['INDOOR', 'OUTDOOR'] })).toEqual([]);
    expect(await names({ parkingRestrictions: ['EV_ONLY'] })).toEqual(['A']);
  });

  it('EVSE-level lists: one EVSE has them all', async () => {
    expect(await names({ capabilities: ['QR_READER'] })).toEqual(['A', 'B', 'D']);
    // B has both capabilities, but on different EVSEs.
    expect(await names({ capabilities: ['qr_reader', 'CREDIT_DEBIT_PAYABLE'] })).toEqual(['A', 'D']);
    expect(await names({ capabilities: ['PRIVILEGE_AND_LOYALTY'] })).toEqual(['D']);
    expect(await names({ paymentTypes: ['maya'] })).toEqual(['B', 'D']);
    expect(await names({ paymentTypes: ['GCASH', 'MAYA'] })).toEqual(['D']);
  });

  it('connector types: by connector_type or standard, all of them at the location', async () => {
    expect(await names({ connectorTypes: ['TYPE_2'] })).toEqual(['A', 'C', 'D']); // C: standard only
    expect(await names({ connectorTypes: ['ccs2', 'TYPE_2'] })).toEqual(['A', 'D']); // D: on two EVSEs
    expect(await names({ connectorTypes: ['CHADEMO'] })).toEqual(['B']);
    expect(await names({ connectorTypes: ['GBT'] })).toEqual([]);
  });

  it('combines filters with the radius', async () => {
    expect(await names({ ...MAKATI, distanceKm: 10, facilities: ['MALL'] })).toEqual(['A', 'C']);
    expect(await names({ ...MAKATI, distanceKm: 10, facilities: ['MALL'], publishedOnly: true })).toEqual(['A']);
    expect(await names({ ...MAKATI, distanceKm: 25, capabilities: ['QR_READER'], paymentTypes: ['MAYA'], province: 'Metro Manila' })).toEqual(['B', 'D']);
    expect(await names({ ...MAKATI, distanceKm: 25, connectorTypes: ['CCS2'], cpoOwnerId: owners[1]! })).toEqual(['D']);
  });

  it('pages', async () => {
    expect(await names({ limit: 2, offset: 0 })).toEqual(['A', 'B']);
    expect(await names({ limit: 2, offset: 2 })).toEqual(['C', 'D']);
    expect(await names({ limit: 2, offset: 4 })).toEqual(['E']);
    expect(await names({ limit: 2, offset: 6 })).toEqual([]);
    expect(await names({ ...MAKATI, limit: 2, offset: 1 })).toEqual(['B', 'C']);
    expect(await names({ ...MAKATI, distanceKm: 10, limit: 2, offset: 2 })).toEqual(['C']);
  });

  it('the radius query can use location_earth_idx', async () => {
    // Five rows would be read sequentially anyway: forbid that to see whether the index matches the expression.
    const plan = await handle.db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const query = locationsNearQuery({ ...base, ...MAKATI, distanceKm: 10, facilities: ['MALL'] });
      const { rows } = await sql<Record<string, string>>`explain ${query}`.execute(tx);
      return rows.map((r) => Object.values(r)[0]).join('\n');
    });
    expect(plan).toContain('location_earth_idx');
  });
});
