import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { ClusterBus } from '../../src/cluster/cluster-bus.ts';
import { createLocalBus } from '../../src/cluster/local-bus.ts';
import { createPgBus } from '../../src/cluster/pg-bus.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createIngest, type Ingest } from '../../src/ingest/ingest.ts';
import { ocpiStatus } from '../../src/map/ocpi-status.ts';
import {
  createStatusFeed, encodeStatusMessages, haversineKm, type ConnectorStatusChange, type StatusFeed, type StatusWireItem,
} from '../../src/map/status-feed.ts';
import { MAX_MESSAGE_BYTES } from '../../src/cluster/cluster-bus.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

const log = pino({ level: 'silent' });
const MAKATI = { lat: 14.5547, lng: 121.0244 };
const CEBU = { lat: 10.3157, lng: 123.8854 };

let handle: DatabaseHandle;
const buses: ClusterBus[] = [];
let busA: ClusterBus; // "node A": ingest publishes here
let busB: ClusterBus; // "node B"
let ingest: Ingest;
let feedA: StatusFeed;
let feedB: StatusFeed;
const loc = { makati: 0, pasig: 0, cebu: 0 };

async function place(uid: string, name: string, lat: number, lng: number, ownerId: number): Promise<number> {
  const row = await handle.db
    .insertInto('location')
    .values({ cpoOwnerId: ownerId, name, address: name, addressLat: lat.toFixed(6), addressLng: lng.toFixed(6), countryCode: 'PH', publish: true })
    .returning('id')
    .executeTakeFirstOrThrow();
  await chargePointService.register(handle.db, { id: uid, password: null });
  await handle.db.insertInto('evse').values({ uid, locationId: Number(row.id) }).execute();
  return Number(row.id);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  if (handle.url) {
    busA = await createPgBus({ url: handle.url, applicationName: 'feed-test-a' });
    busB = await createPgBus({ url: handle.url, applicationName: 'feed-test-b' });
    buses.push(busA, busB);
  } else {
    // PGlite is one process: both "nodes" share the in-process bus, as startTestApp({ nodeOf }) does.
    busA = busB = createLocalBus();
    buses.push(busA);
  }
  // One batch at a time keeps the order of announcements predictable for the assertions.
  ingest = createIngest(handle.db, { maxBatch: 50, maxDelayMs: 2, concurrency: 1, bus: busA });
  const owner = await handle.db.insertInto('cpoOwner').values({ name: 'Feed CPO', countryCode: 'PH', partyId: 'FED' }).returning('id').executeTakeFirstOrThrow();
  loc.makati = await place('FEED-1', 'Makati', MAKATI.lat, MAKATI.lng, Number(owner.id));
  loc.pasig = await place('FEED-2', 'Pasig', 14.5764, 121.0851, Number(owner.id)); // ~7 km from Makati
  loc.cebu = await place('FEED-3', 'Cebu', CEBU.lat, CEBU.lng, Number(owner.id));
  await chargePointService.register(handle.db, { id: 'FEED-LOOSE', password: null }); // not placed at any location
  feedA = await createStatusFeed({ db: handle.db, bus: busA, log });
  feedB = await createStatusFeed({ db: handle.db, bus: busB, log });
});
afterAll(async () => {
  await feedA?.close();
  await feedB?.close();
  await ingest?.close();
  for (const bus of buses) await bus.close();
  await handle?.close();
});

let clock = Date.UTC(2026, 10, 22, 12, 0, 0);
function report(chargePointId: string, connectorId: number, status: string, at = new Date((clock += 1000))) {
  return { chargePointId, connectorId, status, errorCode: status === 'Faulted' ? 'GroundFailure' : 'NoError', info: null, vendorId: null, vendorErrorCode: null, statusAt: at };
}

const TIMEOUT = Symbol('timeout');
async function nextWithin(it: AsyncIterator<ConnectorStatusChange>, ms = 5_000): Promise<ConnectorStatusChange | typeof TIMEOUT | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)));
  try {
    const result = await Promise.race([it.next(), timeout]);
    if (result === TIMEOUT) return TIMEOUT;
    return result.done ? undefined : result.value;
  } finally {
    clearTimeout(timer);
  }
}
async function take(it: AsyncIterator<ConnectorStatusChange>, n: number): Promise<ConnectorStatusChange[]> {
  const out: ConnectorStatusChange[] = [];
  while (out.length < n) {
    const value = await nextWithin(it);
    if (value === TIMEOUT || value === undefined) throw new Error(`expected ${n} changes, got ${out.length}`);
    out.push(value);
  }
  return out;
}

describe('status feed', () => {
  it('maps OCPP statuses to OCPI', () => {
    expect(ocpiStatus('Available')).toBe('AVAILABLE');
    for (const s of ['Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing']) expect(ocpiStatus(s)).toBe('CHARGING');
    expect(ocpiStatus('Reserved')).toBe('RESERVED');
    expect(ocpiStatus('Unavailable')).toBe('INOPERATIVE');
    expect(ocpiStatus('Faulted')).toBe('OUTOFORDER');
    expect(ocpiStatus('Bogus')).toBe('UNKNOWN');
    expect(ocpiStatus('toString')).toBe('UNKNOWN');
    expect(ocpiStatus(null)).toBe('UNKNOWN');
  });

  it('chunks a large batch into bus messages under the NOTIFY limit', () => {
    const items: StatusWireItem[] = Array.from({ length: 500 }, (_, i) => ({ cp: `CHARGER-${i}`, c: i % 3, s: 'Charging', e: 'NoError', t: new Date(0).toISOString() }));
    const messages = encodeStatusMessages(items);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(Buffer.byteLength(m)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(messages.flatMap((m) => JSON.parse(m) as StatusWireItem[])).toEqual(items);
  });

  it('delivers a committed status to the feeds of both nodes', async () => {
    const onA = feedA.subscribe({});
    const onB = feedB.subscribe({});
    const written = report('FEED-1', 1, 'Charging');
    await ingest.status(written);
    const expected: ConnectorStatusChange = {
      locationId: loc.makati, evseUid: 'FEED-1', connectorId: 1, ocppStatus: 'Charging', status: 'CHARGING', errorCode: 'NoError',
      at: written.statusAt.toISOString(),
    };
    expect(await nextWithin(onA)).toEqual(expected);
    expect(await nextWithin(onB)).toEqual(expected);
    await onA.return!();
    await onB.return!();
  });

  it('filters by location ids and by distance; connector 0 comes through as 0', async () => {
    const pasigOnly = feedB.subscribe({ locationIds: [loc.pasig] });
    const nearMakati = feedB.subscribe({ near: { ...MAKATI, distanceKm: 10 } });
    const nearCebu = feedA.subscribe({ near: { ...CEBU, distanceKm: 10 } });
    const pasigIdOrNearCebu = feedA.subscribe({ locationIds: [loc.pasig], near: { ...CEBU, distanceKm: 50 } });
    expect(haversineKm(MAKATI.lat, MAKATI.lng, 14.5764, 121.0851)).toBeGreaterThan(6);
    await Promise.all([
      ingest.status(report('FEED-1', 0, 'Unavailable')),
      ingest.status(report('FEED-2', 2, 'Faulted')),
      ingest.status(report('FEED-3', 1, 'Available')),
      ingest.status(report('FEED-LOOSE', 1, 'Charging')), // no location: nobody hears of it
    ]);
    const near = await take(nearMakati, 2);
    expect(near.map((c) => [c.evseUid, c.connectorId, c.status]).sort()).toEqual([['FEED-1', 0, 'INOPERATIVE'], ['FEED-2', 2, 'OUTOFORDER']]);
    expect(near.find((c) => c.evseUid === 'FEED-2')).toMatchObject({ locationId: loc.pasig, errorCode: 'GroundFailure', ocppStatus: 'Faulted' });
    expect((await take(pasigOnly, 1)).map((c) => c.evseUid)).toEqual(['FEED-2']);
    expect((await take(nearCebu, 1)).map((c) => [c.evseUid, c.status])).toEqual([['FEED-3', 'AVAILABLE']]);
    expect((await take(pasigIdOrNearCebu, 2)).map((c) => c.evseUid).sort()).toEqual(['FEED-2', 'FEED-3']); // either one matches

    // Nothing else was waiting for them.
    for (const it of [pasigOnly, nearMakati, nearCebu, pasigIdOrNearCebu]) expect(await nextWithin(it, 300)).toBe(TIMEOUT);
    for (const it of [pasigOnly, nearMakati, nearCebu, pasigIdOrNearCebu]) await it.return!();
  });

  it('does not announce a replayed report older than the stored state', async () => {
    const all = feedA.subscribe({});
    await ingest.status(report('FEED-1', 1, 'Available', new Date(Date.UTC(2020, 0, 1)))); // older than "Charging" above
    await ingest.status(report('FEED-2', 1, 'Preparing'));
    const first = await nextWithin(all);
    expect(first).toMatchObject({ evseUid: 'FEED-2', connectorId: 1, status: 'CHARGING' });
    await all.return!();
  });

  it('bounds the queue of a slow subscriber, dropping the oldest', async () => {
    const small = await createStatusFeed({ db: handle.db, bus: busB, log, queueSize: 3 });
    try {
      const slow = small.subscribe({ locationIds: [loc.cebu] });
      await Promise.all(Array.from({ length: 10 }, (_, i) => ingest.status(report('FEED-3', i + 1, 'Charging'))));
      const deadline = Date.now() + 5_000;
      while (slow.dropped < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(slow.dropped).toBe(7);
      expect((await take(slow, 3)).map((c) => c.connectorId)).toEqual([8, 9, 10]);
      expect(await nextWithin(slow, 200)).toBe(TIMEOUT);
      expect(slow.dropped).toBe(7);
      await slow.return!();
    } finally {
      await small.close();
    }
  });

  it('return() ends an iterator, also one waiting for a change; close() ends them all', async () => {
    const waiting = feedA.subscribe({});
    const pending = waiting.next();
    await waiting.return!();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await expect(waiting.next()).resolves.toMatchObject({ done: true });

    // for await … break calls return().
    const looped = feedA.subscribe({ locationIds: [loc.makati] });
    const seen: string[] = [];
    const loop = (async () => {
      for await (const change of looped) {
        seen.push(change.ocppStatus);
        break;
      }
    })();
    await ingest.status(report('FEED-1', 2, 'Finishing'));
    await loop;
    expect(seen).toEqual(['Finishing']);
    await expect(looped.next()).resolves.toMatchObject({ done: true });

    const other = await createStatusFeed({ db: handle.db, bus: busA, log });
    const open = other.subscribe({});
    const stillWaiting = open.next();
    await other.close();
    await expect(stillWaiting).resolves.toMatchObject({ done: true });
    await expect(other.subscribe({}).next()).resolves.toMatchObject({ done: true });
  });
});
