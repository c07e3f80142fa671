import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chargerId, startFleet } from '../../simulators/fleet/fleet.ts';
import * as chargePointRepository from '../../src/charge-points/charge-point.repository.ts';
import * as idTagService from '../../src/id-tags/id-tag.service.ts';
import { eventually, startTestApp, type TestApp } from '../fixtures/test-app.ts';

// The benchmarks' load generator against the real server: its counters are what the benches report,
// so they must agree with what the server stored.
const PREFIX = 'FT-E2E-';
const COUNT = 12;
const CONNECTORS = 2;
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
  const ids = Array.from({ length: COUNT }, (_, i) => chargerId(PREFIX, i));
  await chargePointRepository.registerMany(t.db, ids.map((id) => ({ id, passwordHash: null })));
  // The fleet's sessions use id tag FT<index>.
  for (let i = 0; i < COUNT; i++) await idTagService.create(t.db, { idTag: `FT${i}`, status: 'Accepted', expiryDate: null, parentIdTag: null });
});
afterAll(() => t.close());

describe('fleet load generator', () => {
  it('boots a storm, reports its boot statuses, floods MeterValues and loses no acknowledged value', async () => {
    const fleet = await startFleet({
      url: t.ocppUrl, count: COUNT, workers: 1, idPrefix: PREFIX, ramp: 'storm', connectors: CONNECTORS,
      transactions: 'always', meterIntervalS: 0, samples: 6, heartbeatIntervalS: 300, addresses: 0, reconnect: false,
    });
    try {
      await fleet.allBooted;
      // Every charger's StatusNotifications (connector 0 and each connector) answered, and every connector charging.
      await eventually(async () => {
        const c = fleet.snapshot().counters;
        return c.statusReported === COUNT && c.transactionsStarted === COUNT * CONNECTORS && c.meterValuesAcked > 50;
      }, 20_000);
    } finally {
      await fleet.stop();
    }
    const result = await fleet.done;
    const c = result.counters;
    expect(c).toMatchObject({ connected: COUNT, booted: COUNT, statusReported: COUNT, callErrors: 0, callTimeouts: 0, connectFailures: 0 });
    expect(c.callsAnswered).toBe(c.callsSent);

    const statuses = await t.db.selectFrom('connectorStatus').select(['chargePointId', 'connectorId']).where('chargePointId', 'like', `${PREFIX}%`).execute();
    expect(statuses).toHaveLength(COUNT * (CONNECTORS + 1));
    const open = await t.db.selectFrom('transaction').select('id').where('chargePointId', 'like', `${PREFIX}%`).where('stopTimestamp', 'is', null).execute();
    expect(open).toHaveLength(COUNT * CONNECTORS);
    const { rows } = await sql<{ readings: string; values: string }>`
      select count(*) as readings, coalesce(sum(cardinality(value)), 0) as values
      from meter_reading where charge_point_id like ${`${PREFIX}%`}`.execute(t.db);
    expect(Number(rows[0]!.readings)).toBe(c.meterValuesAcked);
    expect(Number(rows[0]!.values)).toBe(c.samplesAcked);
  }, 60_000);
});
