import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as catalogService from '../../src/catalog/catalog.service.ts';
import type { CatalogQuery } from '../../src/catalog/catalog.service.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { AppError } from '../../src/errors.ts';
import * as ratingRepository from '../../src/ratings/rating.repository.ts';
import * as applicableTariffs from '../../src/tariffs/applicable-tariffs.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const MAKATI = { lat: 14.5547, lng: 121.0244 };
const KM_PER_DEG_LAT = 111.195;
const KM_PER_DEG_LNG = KM_PER_DEG_LAT * Math.cos((MAKATI.lat * Math.PI) / 180);
const NOW = new Date('2026-12-02T08:00:00Z');
const hours = (h: number) => new Date(NOW.getTime() + h * 3_600_000);

let handle: DatabaseHandle;
const owner = {} as Record<'DCC' | 'ABC', number>;
const loc = {} as Record<'L1' | 'L2' | 'L3' | 'L4' | 'L5', number>;
/** Connector db ids by public id. */
const conn = new Map<string, number>();
const tariff = {} as Record<string, number>;

interface ConnectorSeed { standard: string; connectorType: string | null; powerType: string; format: string; watts: number; status?: string }
interface EvseSeed { uid: string; evseId?: string; online?: boolean; connectors: ConnectorSeed[] }

async function seedLocation(key: keyof typeof loc, cpo: 'DCC' | 'ABC', km: { north: number; east: number }, publish: boolean, evses: EvseSeed[]) {
  const db = handle.db;
  const row = await db
    .insertInto('location')
    .values({
      cpoOwnerId: owner[cpo], name: `Site ${key}`, address: `${key} street`, countryCode: 'PH', publish,
      addressLat: (MAKATI.lat + km.north / KM_PER_DEG_LAT).toFixed(6), addressLng: (MAKATI.lng + km.east / KM_PER_DEG_LNG).toFixed(6),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  loc[key] = Number(row.id);
  for (const e of evses) {
    const evse = await db.insertInto('evse').values({ uid: e.uid, evseId: e.evseId ?? null, locationId: loc[key] }).returning('id').executeTakeFirstOrThrow();
    if (e.online !== undefined) await db.insertInto('chargePoint').values({ id: e.uid, online: e.online }).execute();
    let n = 0;
    for (const c of e.connectors) {
      const connectorId = ++n;
      const inserted = await db
        .insertInto('connector')
        .values({
          evseId: Number(evse.id), connectorId, standard: c.standard, connectorType: c.connectorType, format: c.format, powerType: c.powerType,
          maxVoltage: 400, maxAmperage: 100, maxElectricPower: c.watts,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      conn.set(`${e.uid}-${connectorId}`, Number(inserted.id));
      if (c.status) {
        await db.insertInto('connectorStatus').values({ chargePointId: e.uid, connectorId, status: c.status, errorCode: 'NoError', statusAt: NOW }).execute();
      }
    }
  }
}

const dc = (standard: string, watts: number, status?: string): ConnectorSeed => ({ standard, connectorType: standard, powerType: 'DC', format: 'CABLE', watts, ...(status ? { status } : {}) });

let orderSeq = 0;
async function insertOrder(publicId: string, status: 'quoted' | 'active' | 'completed', validFrom: Date, validUntil: Date): Promise<string> {
  const connectorId = conn.get(publicId)!;
  const c = await handle.db
    .selectFrom('connector').innerJoin('evse', 'evse.id', 'connector.evseId').innerJoin('location', 'location.id', 'evse.locationId')
    .select(['connector.connectorId', 'connector.standard', 'connector.connectorType', 'evse.id as evseId', 'evse.uid', 'location.id as locationId', 'location.cpoOwnerId'])
    .where('connector.id', '=', connectorId)
    .executeTakeFirstOrThrow();
  const id = `ord-${++orderSeq}`;
  await handle.db
    .insertInto('chargingOrder')
    .values({
      id, status, mode: 'reservation', cpoOwnerId: Number(c.cpoOwnerId), locationId: Number(c.locationId), evseId: Number(c.evseId), connectorId,
      chargePointId: c.uid, ocppConnectorId: c.connectorId, connectorType: c.connectorType ?? c.standard, tariff: JSON.stringify({}), energyKwh: '10.000', durationMinutes: 60,
      currency: 'INR', quotedAmount: '100.00', quote: JSON.stringify([]), validFrom, validUntil,
    })
    .execute();
  return id;
}

async function rate(publicId: string, values: number[]) {
  for (const value of values) {
    const orderId = await insertOrder(publicId, 'completed', hours(-30), hours(-29));
    await handle.db.insertInto('orderRating').values({ orderId, connectorId: conn.get(publicId)!, value, submissionId: `sub-${orderId}` }).execute();
  }
}

async function insertTariff(name: string, cpo: 'DCC' | 'ABC', scope: { location?: keyof typeof loc; evse?: string; connector?: string }, active = true) {
  const db = handle.db;
  let evseId: number | null = null;
  let locationId = scope.location ? loc[scope.location] : null;
  const evseUid = scope.evse ?? scope.connector?.replace(/-\d+$/, '');
  if (evseUid) {
    const e = await db.selectFrom('evse').select(['id', 'locationId']).where('uid', '=', evseUid).executeTakeFirstOrThrow();
    evseId = Number(e.id);
    locationId = Number(e.locationId);
  }
  const row = await db
    .insertInto('tariff')
    .values({
      cpoOwnerId: owner[cpo], locationId, evseId, connectorId: scope.connector ? conn.get(scope.connector)! : null,
      name, currency: 'INR', energyPrice: '18.0000', active,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  tariff[name] = row.id;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  for (const [party, name] of [['DCC', 'DC Charging Co'], ['ABC', 'ABC Power']] as const) {
    const row = await handle.db.insertInto('cpoOwner').values({ name, countryCode: 'PH', partyId: party }).returning('id').executeTakeFirstOrThrow();
    owner[party] = Number(row.id);
  }
  await seedLocation('L1', 'DCC', { north: 0, east: 0 }, true, [
    {
      uid: 'CAT-1', evseId: 'PH*DCC*E0001', online: true,
      connectors: [dc('CCS2', 60_000, 'Available'), { standard: 'TYPE_2', connectorType: 'TYPE_2', powerType: 'AC_3_PHASE', format: 'SOCKET', watts: 22_000, status: 'Charging' }],
    },
  ]);
  await seedLocation('L2', 'DCC', { north: 1, east: 0 }, true, [
    { uid: 'CAT-2', online: false, connectors: [dc('CHADEMO', 50_000, 'Available')] },
    { uid: 'CAT-3', online: true, connectors: [{ standard: 'TYPE_1', connectorType: null, powerType: 'AC_1_PHASE', format: 'SOCKET', watts: 7_000, status: 'Faulted' }] },
  ]);
  await seedLocation('L3', 'ABC', { north: 0, east: 5 }, true, [
    {
      uid: 'CAT-4', evseId: 'PH*ABC*E0004', online: true,
      connectors: [dc('CCS2', 150_000, 'Available'), { standard: 'TYPE_2', connectorType: 'TYPE_2', powerType: 'AC_1_PHASE', format: 'CABLE', watts: 7_400, status: 'Available' }],
    },
  ]);
  await seedLocation('L4', 'ABC', { north: 0, east: 1 }, false, [{ uid: 'CAT-5', evseId: 'PH*ABC*E0005', online: true, connectors: [dc('CCS2', 50_000, 'Available')] }]);
  await seedLocation('L5', 'DCC', { north: -20, east: 0 }, true, [
    { uid: 'CAT-6', online: true, connectors: [{ standard: 'TYPE_2', connectorType: 'TYPE_2', powerType: 'AC_3_PHASE', format: 'SOCKET', watts: 11_000, status: 'Available' }] },
  ]);
});
afterAll(async () => {
  await handle?.close();
});

const near = (km: number) => ({ near: { ...MAKATI, distanceMeters: km * 1000 } });
const search = (q: Partial<CatalogQuery>, now = NOW) => catalogService.search(handle.db, { page: 1, perPage: 20, ...q }, now);
const locationsOf = async (q: Partial<CatalogQuery>) => (await search(q)).catalogs.map((c) => c.locationId);
const connectorsOf = async (q: Partial<CatalogQuery>) => (await search(q)).catalogs.flatMap((c) => c.connectors.map((x) => x.id));

describe('catalog search: where', () => {
  it('finds published locations in the radius, nearest first, one catalog each', async () => {
    const page = await search(near(10));
    expect(page.catalogs.map((c) => c.id)).toEqual([`catalog-location-${loc.L1}`, `catalog-location-${loc.L2}`, `catalog-location-${loc.L3}`]);
    expect(page.total).toBe(3);
    expect(page.catalogs.map((c) => c.distanceMeters)).toEqual([0, expect.closeTo(1000, -1), expect.closeTo(5000, -2)]);
    expect(await locationsOf(near(0.5))).toEqual([loc.L1]);
    expect(await locationsOf(near(25))).toEqual([loc.L1, loc.L2, loc.L3, loc.L5]); // L4 is not published
  });

  it('looks an EVSE up by its EVSE id (any case) or its uid, with only its connectors', async () => {
    const byEvseId = await search({ evseId: 'ph*dcc*e0001' });
    expect(byEvseId.total).toBe(1);
    expect(byEvseId.catalogs[0]!.locationId).toBe(loc.L1);
    expect(byEvseId.catalogs[0]!.distanceMeters).toBeNull();
    expect(byEvseId.catalogs[0]!.connectors.map((c) => c.id)).toEqual(['CAT-1-1', 'CAT-1-2']);
    expect(await connectorsOf({ evseId: 'CAT-3' })).toEqual(['CAT-3-1']);
    expect(await connectorsOf({ evseId: 'PH*ABC*E0004' })).toEqual(['CAT-4-1', 'CAT-4-2']);
    expect((await search({ evseId: 'CAT-5' })).total).toBe(0); // unpublished
    expect((await search({ evseId: 'NOPE' })).total).toBe(0);
  });

  it('wants exactly one of evse id and point', async () => {
    await expect(search({})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(search({ evseId: 'CAT-1', ...near(1) })).rejects.toBeInstanceOf(AppError);
    await expect(search({ ...near(1), page: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('filters by CPO: CC*PARTY, party alone, or id', async () => {
    expect(await locationsOf({ ...near(25), cpo: 'PH*ABC' })).toEqual([loc.L3]);
    expect(await locationsOf({ ...near(25), cpo: 'ph*dcc' })).toEqual([loc.L1, loc.L2, loc.L5]);
    expect(await locationsOf({ ...near(25), cpo: 'abc' })).toEqual([loc.L3]);
    expect(await locationsOf({ ...near(25), cpo: String(owner.DCC) })).toEqual([loc.L1, loc.L2, loc.L5]);
    expect(await locationsOf({ ...near(25), cpo: 'SG*ABC' })).toEqual([]);
    expect(await locationsOf({ ...near(25), cpo: 'XYZ' })).toEqual([]);
  });

  it('filters by station: a location id, an EVSE uid or EVSE id', async () => {
    expect(await connectorsOf({ ...near(25), station: String(loc.L2) })).toEqual(['CAT-2-1', 'CAT-3-1']);
    expect(await connectorsOf({ ...near(25), station: 'CAT-3' })).toEqual(['CAT-3-1']);
    expect(await connectorsOf({ ...near(25), station: 'ph*abc*e0004' })).toEqual(['CAT-4-1', 'CAT-4-2']);
    expect(await connectorsOf({ ...near(0.5), station: 'CAT-4' })).toEqual([]);
  });

  it('filters by connector type (type or standard, any case); a location left without connectors is no catalog', async () => {
    const page = await search({ ...near(10), connectorType: 'type_2' });
    expect(page.total).toBe(2);
    expect(page.catalogs.map((c) => c.connectors.map((x) => x.id))).toEqual([['CAT-1-2'], ['CAT-4-2']]);
    expect(await connectorsOf({ ...near(10), connectorType: 'TYPE_1' })).toEqual(['CAT-3-1']); // standard only
    expect(await connectorsOf({ ...near(10), connectorType: 'CCS2' })).toEqual(['CAT-1-1', 'CAT-4-1']);
    expect((await search({ ...near(10), connectorType: 'GBT' })).total).toBe(0);
  });

  it('filters by vehicle: only connectors it can plug into, by type and current', async () => {
    // Tesla Model 3: Type 2 on AC, CCS2 on DC.
    const tesla = await search({ ...near(25), vehicle: { make: 'Tesla', model: 'Model 3', type: '4-wheeler' } });
    expect(tesla.total).toBe(3); // L2 has only CHAdeMO and Type 1
    expect(tesla.catalogs.flatMap((c) => c.connectors.map((x) => x.id))).toEqual(['CAT-1-1', 'CAT-1-2', 'CAT-4-1', 'CAT-4-2', 'CAT-6-1']);
    // No DC at all.
    expect(await connectorsOf({ ...near(25), vehicle: { make: 'MG', model: 'Comet EV' } })).toEqual(['CAT-1-2', 'CAT-4-2', 'CAT-6-1']);
    expect(await connectorsOf({ ...near(25), vehicle: { make: 'Nissan', model: 'Leaf' } })).toEqual(['CAT-1-2', 'CAT-2-1', 'CAT-4-2', 'CAT-6-1']);
    // Combined with the connector type filter.
    expect(await connectorsOf({ ...near(25), connectorType: 'CCS2', vehicle: { make: 'Nissan', model: 'Leaf' } })).toEqual([]);
    // An unknown car takes what cars usually take; scooters take nothing we have.
    expect((await search({ ...near(25), vehicle: { type: '4-wheeler' } })).total).toBe(4);
    expect((await search({ ...near(25), vehicle: { type: '2-wheeler' } })).total).toBe(0);
  });

  it('pages by location and always reports the total', async () => {
    const pageOf = async (page: number) => {
      const r = await search({ ...near(25), page, perPage: 2 });
      return { ids: r.catalogs.map((c) => c.locationId), total: r.total, page: r.page, perPage: r.perPage };
    };
    expect(await pageOf(1)).toEqual({ ids: [loc.L1, loc.L2], total: 4, page: 1, perPage: 2 });
    expect(await pageOf(2)).toEqual({ ids: [loc.L3, loc.L5], total: 4, page: 2, perPage: 2 });
    expect(await pageOf(3)).toEqual({ ids: [], total: 4, page: 3, perPage: 2 });
  });
});

describe('catalog search: what', () => {
  it('describes connectors in the contract vocabulary', async () => {
    const [l1, l2, l3] = (await search(near(10))).catalogs;
    const [c11, c12] = l1!.connectors;
    expect(c11).toEqual({
      id: 'CAT-1-1', dbId: conn.get('CAT-1-1'), evseUid: 'CAT-1', evseId: 'PH*DCC*E0001', ocppConnectorId: 1,
      lat: MAKATI.lat, lng: MAKATI.lng, connectorType: 'CCS2', maxPowerKw: '60', powerType: 'DC', format: 'CABLE', socketCount: 2,
      status: 'Available', isActive: true, chargingSpeed: 'FAST', rating: expect.any(Object),
      provider: { id: 'PH*DCC', name: 'DC Charging Co' }, availabilityWindow: [{ startTime: '00:00:00', endTime: '23:59:59' }],
      reservationSupported: true, tariffIds: expect.any(Array),
    });
    expect(c12).toMatchObject({ connectorType: 'TYPE_2', maxPowerKw: '22', powerType: 'AC_3_PHASE', format: 'SOCKET', chargingSpeed: 'NORMAL', status: 'Occupied', isActive: true });
    const [c21, c31] = l2!.connectors;
    expect(c21).toMatchObject({ id: 'CAT-2-1', connectorType: 'CHADEMO', status: 'Unknown', isActive: false, socketCount: 1 }); // charger offline
    expect(c31).toMatchObject({ id: 'CAT-3-1', connectorType: 'TYPE_1', powerType: 'AC', maxPowerKw: '7', chargingSpeed: 'SLOW', status: 'OutOfOrder', isActive: false });
    expect(l3!.connectors.map((c) => [c.id, c.chargingSpeed, c.maxPowerKw, c.provider.id])).toEqual([
      ['CAT-4-1', 'ULTRAFAST', '150', 'PH*ABC'],
      ['CAT-4-2', 'NORMAL', '7.4', 'PH*ABC'],
    ]);
  });

  it('reports a connector held by a reservation or a paid order during the window as Reserved', async () => {
    await handle.db.insertInto('reservation').values({ chargePointId: 'CAT-4', connectorId: 1, idTag: 'TAG1', expiryDate: hours(2), status: 'reserved' }).execute();
    await handle.db.insertInto('reservation').values({ chargePointId: 'CAT-4', connectorId: 2, idTag: 'TAG2', expiryDate: hours(9), status: 'cancelled' }).execute();
    await insertOrder('CAT-4-2', 'active', hours(4), hours(5));
    await insertOrder('CAT-4-2', 'quoted', hours(6), hours(7));
    const statuses = async (start: Date | undefined, end?: Date) => {
      const r = await search({ evseId: 'CAT-4', ...(start ? { timeWindow: { start, end: end! } } : {}) });
      return r.catalogs[0]!.connectors.map((c) => `${c.status}/${c.isActive}`);
    };
    expect(await statuses(undefined)).toEqual(['Reserved/false', 'Available/true']); // now: the reservation holds
    expect(await statuses(hours(1), hours(3))).toEqual(['Reserved/false', 'Available/true']);
    expect(await statuses(hours(2), hours(3))).toEqual(['Available/true', 'Available/true']); // reservation expired at the start
    expect(await statuses(hours(4.5), hours(6))).toEqual(['Available/true', 'Reserved/false']);
    expect(await statuses(hours(3), hours(4))).toEqual(['Available/true', 'Available/true']); // ends as the order begins
    expect(await statuses(hours(5), hours(8))).toEqual(['Available/true', 'Available/true']); // quoted orders hold nothing
    expect(await statuses(hours(1), hours(10))).toEqual(['Reserved/false', 'Reserved/false']);
    // At an instant inside the paid order.
    const at = await search({ evseId: 'CAT-4' }, hours(4.5));
    expect(at.catalogs[0]!.connectors.map((c) => c.status)).toEqual(['Available', 'Reserved']);
    // A reservation of connector 0 holds the whole charger.
    await handle.db.insertInto('reservation').values({ chargePointId: 'CAT-6', connectorId: 0, idTag: 'TAG3', expiryDate: hours(1), status: 'reserved' }).execute();
    expect((await search({ evseId: 'CAT-6' })).catalogs[0]!.connectors.map((c) => c.status)).toEqual(['Reserved']);
  });

  it('averages ratings to one decimal', async () => {
    await rate('CAT-1-1', [5, 4, 4]);
    await rate('CAT-4-1', [5, 4, 4, 4]);
    const averages = await ratingRepository.averagesByConnector(handle.db, [conn.get('CAT-1-1')!, conn.get('CAT-1-2')!, conn.get('CAT-4-1')!]);
    expect(averages.get(conn.get('CAT-1-1')!)).toEqual({ value: '4.3', count: 3 });
    expect(averages.get(conn.get('CAT-4-1')!)).toEqual({ value: '4.3', count: 4 }); // 4.25: half up, exactly
    expect(averages.has(conn.get('CAT-1-2')!)).toBe(false);
    expect(await ratingRepository.averagesByConnector(handle.db, [])).toEqual(new Map());
    const [l1] = (await search(near(0.5))).catalogs;
    expect(l1!.connectors.map((c) => c.rating)).toEqual([{ value: '4.3', count: 3 }, { value: '0.0', count: 0 }]);
  });
});

describe('tariffs', () => {
  beforeAll(async () => {
    await insertTariff('cpo-wide', 'DCC', {});
    await insertTariff('cpo-wide-off', 'DCC', {}, false);
    await insertTariff('loc-L2', 'DCC', { location: 'L2' });
    await insertTariff('loc-L2-b', 'DCC', { location: 'L2' });
    await insertTariff('evse-CAT-1', 'DCC', { evse: 'CAT-1' });
    await insertTariff('conn-CAT-1-1', 'DCC', { connector: 'CAT-1-1' });
    await insertTariff('conn-CAT-1-2-off', 'DCC', { connector: 'CAT-1-2' }, false);
    await insertTariff('evse-CAT-3-off', 'DCC', { evse: 'CAT-3' }, false);
  });

  it('the narrowest scope with an active tariff wins: connector, EVSE, location, CPO-wide', async () => {
    const ids = ['CAT-1-1', 'CAT-1-2', 'CAT-2-1', 'CAT-3-1', 'CAT-6-1', 'CAT-4-1'].map((p) => conn.get(p)!);
    const result = await applicableTariffs.forConnectors(handle.db, ids);
    const names = (p: string) => result.get(conn.get(p)!)?.map((t) => t.name);
    expect(names('CAT-1-1')).toEqual(['conn-CAT-1-1']);
    expect(names('CAT-1-2')).toEqual(['evse-CAT-1']); // its connector-level tariff is inactive
    expect(names('CAT-2-1')).toEqual(['loc-L2', 'loc-L2-b']);
    expect(names('CAT-3-1')).toEqual(['loc-L2', 'loc-L2-b']);
    expect(names('CAT-6-1')).toEqual(['cpo-wide']);
    expect(result.has(conn.get('CAT-4-1')!)).toBe(false); // ABC has no tariff
    expect(result.get(conn.get('CAT-1-1')!)![0]).toMatchObject({ id: tariff['conn-CAT-1-1'], currency: 'INR', energyPrice: '18.0000', cpoOwnerId: owner.DCC });
    expect(await applicableTariffs.forConnectors(handle.db, [])).toEqual(new Map());
  });

  it('a catalog offers the distinct tariffs of its connectors, with the connectors they apply to', async () => {
    const [l1, l2] = (await search(near(3))).catalogs;
    expect(l1!.connectors.map((c) => c.tariffIds)).toEqual([[tariff['conn-CAT-1-1']], [tariff['evse-CAT-1']]]);
    expect(l1!.offers.map((o) => [o.name, o.items])).toEqual([
      ['evse-CAT-1', ['CAT-1-2']],
      ['conn-CAT-1-1', ['CAT-1-1']],
    ]);
    expect(l2!.offers.map((o) => [o.name, o.items])).toEqual([
      ['loc-L2', ['CAT-2-1', 'CAT-3-1']],
      ['loc-L2-b', ['CAT-2-1', 'CAT-3-1']],
    ]);
    expect(l2!.offers[0]).toMatchObject({ id: tariff['loc-L2'], currency: 'INR', paymentMethods: ['UPI', 'Card', 'Wallet'], surcharges: [] });
  });
});

describe('cost', () => {
  it('runs the same few queries however many catalogs and connectors it returns', async () => {
    let queries = 0;
    const counting = handle.db.withPlugin({
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const count = async (q: Partial<CatalogQuery>) => {
      queries = 0;
      await catalogService.search(counting, { page: 1, perPage: 20, ...q }, NOW);
      return queries;
    };
    // Page with total, connectors, ratings, tariffs.
    expect(await count({ ...near(25) })).toBe(4);
    expect(await count({ ...near(25), perPage: 1 })).toBe(4);
    expect(await count({ evseId: 'CAT-1' })).toBe(4);
    // Plus the connector type list.
    expect(await count({ ...near(25), vehicle: { make: 'Tesla', model: 'Model 3' } })).toBe(5);
    // Nothing found: just the page; past the end: the page and a count.
    expect(await count({ evseId: 'NOPE' })).toBe(1);
    expect(await count({ ...near(25), page: 9 })).toBe(2);
  });
});
