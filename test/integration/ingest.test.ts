import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import * as connectorStatusRepository from '../../src/charge-points/connector-status.repository.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createIngest, type Ingest } from '../../src/ingest/ingest.ts';
import { toMeterReadings } from '../../src/meter-values/meter-sample.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
let ingest: Ingest;
const batches: Array<[string, number]> = [];

beforeAll(async () => {
  handle = await createTestDatabase();
  ingest = createIngest(handle.db, {
    maxBatch: 50,
    maxDelayMs: 2,
    concurrency: handle.kind === 'pglite' ? 1 : 3,
    onBatch: (writer, size) => batches.push([writer, size]),
  });
  for (const id of ['CP-I1', 'CP-I2']) await chargePointService.register(handle.db, { id, password: null });
});
afterAll(async () => {
  await ingest.close();
  await handle.close();
});

const status = (connectorId: number, status: string, at: string) => ({
  chargePointId: 'CP-I1',
  connectorId,
  status,
  errorCode: 'NoError',
  info: null,
  vendorId: null,
  vendorErrorCode: null,
  statusAt: new Date(at),
});

describe('ingest (group commit)', () => {
  it('commits many concurrent meter value messages in few batches, losing none', async () => {
    const writes = Array.from({ length: 400 }, (_, i) =>
      ingest.meterValues(
        toMeterReadings('CP-I2', 1, null, [
          {
            sampledAt: new Date(Date.UTC(2026, 10, 22, 12, 0, i % 60)),
            samples: [{ value: `${i}.5`, measurand: 'Power.Active.Import', unit: 'W' }, { value: String(i * 10) }],
          },
        ]),
      ),
    );
    await Promise.all(writes);
    const count = await handle.db
      .selectFrom('meterValue')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('chargePointId', '=', 'CP-I2')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(800);
    const meterBatches = batches.filter(([w]) => w === 'meter_values');
    expect(meterBatches.reduce((n, [, size]) => n + size, 0)).toBe(400);
    expect(meterBatches.length).toBeLessThan(400 / 5);
    const exact = await handle.db.selectFrom('meterValue').select('value').where('value', '=', '123.5').executeTakeFirst();
    expect(exact?.value).toBe('123.5');
  });

  it('stores every field exactly as reported, awkward text and all', async () => {
    const awkward = 'a,b "c" {d} \\e NULL';
    const at = new Date('2026-11-22T12:34:56.789Z');
    await ingest.meterValues(
      toMeterReadings('CP-I1', 2, null, [
        {
          sampledAt: at,
          samples: [
            { value: '-1.25e3', measurand: 'Power.Offered', unit: 'kW', phase: 'L1-N', context: 'Sample.Clock', location: 'EV' },
            { value: awkward, format: 'SignedData' },
            { value: 'NULL' },
            { value: '' },
          ],
        },
      ]),
    );
    const rows = await handle.db.selectFrom('meterValue').selectAll().where('chargePointId', '=', 'CP-I1').where('connectorId', '=', 2).orderBy('readingId').orderBy('valueIndex').execute();
    expect(rows.map((r) => [r.measurand, r.phase, r.unit, r.context, r.location, r.format, r.value, r.rawValue, r.transactionId])).toEqual([
      ['Power.Offered', 'L1-N', 'kW', 'Sample.Clock', 'EV', 'Raw', '-1250', null, null],
      ['Energy.Active.Import.Register', null, 'Wh', 'Sample.Periodic', 'Outlet', 'SignedData', null, awkward, null],
      ['Energy.Active.Import.Register', null, 'Wh', 'Sample.Periodic', 'Outlet', 'Raw', null, 'NULL', null],
      ['Energy.Active.Import.Register', null, 'Wh', 'Sample.Periodic', 'Outlet', 'Raw', null, '', null],
    ]);
    expect(rows.every((r) => r.sampledAt.toISOString() === at.toISOString())).toBe(true);
    // One MeterValue, one stored reading: its values side by side in the charger's order.
    const readings = await handle.db.selectFrom('meterReading').select(['id', 'layoutId']).where('chargePointId', '=', 'CP-I1').execute();
    expect(readings).toHaveLength(1);
    expect(rows.map((r) => [r.readingId, r.valueIndex])).toEqual([1, 2, 3, 4].map((i) => [readings[0]!.id, i]));
  });

  it('keeps every status in history but never lets an older report overwrite a newer one', async () => {
    await Promise.all([
      ingest.status(status(1, 'Charging', '2026-11-22T12:00:05Z')),
      ingest.status(status(1, 'Preparing', '2026-11-22T12:00:01Z')),
      ingest.status(status(0, 'Available', '2026-11-22T12:00:00Z')),
    ]);
    await ingest.status(status(1, 'Available', '2026-11-22T11:00:00Z')); // a late replay of an old report
    const latest = await connectorStatusRepository.listForChargePoint(handle.db, 'CP-I1');
    expect(latest.map((s) => [s.connectorId, s.status])).toEqual([
      [0, 'Available'],
      [1, 'Charging'],
    ]);
    const history = await connectorStatusRepository.history(handle.db, 'CP-I1', 10);
    expect(history).toHaveLength(4);
    expect(history[0]).toMatchObject({ connectorId: 1, status: 'Charging' });
  });

  it('fails only the message that cannot be written, not its batch neighbours', async () => {
    const good = ingest.status(status(2, 'Available', '2026-11-22T12:01:00Z'));
    const bad = ingest.status({ ...status(3, 'Available', '2026-11-22T12:01:00Z'), chargePointId: 'NOT-REGISTERED' });
    await expect(good).resolves.toBeUndefined();
    await expect(bad).rejects.toThrow();
    const latest = await connectorStatusRepository.listForChargePoint(handle.db, 'CP-I1');
    expect(latest.find((s) => s.connectorId === 2)?.status).toBe('Available');
  });

  it('coalesces last-seen updates and never moves last-seen backwards', async () => {
    await Promise.all([
      ingest.touch('CP-I1', new Date('2026-11-22T13:00:00Z')),
      ingest.touch('CP-I1', new Date('2026-11-22T13:00:10Z')),
      ingest.touch('CP-I2', new Date('2026-11-22T13:00:05Z')),
    ]);
    await ingest.touch('CP-I1', new Date('2026-11-22T12:59:00Z'));
    expect((await chargePointService.get(handle.db, 'CP-I1'))?.lastSeenAt?.toISOString()).toBe('2026-11-22T13:00:10.000Z');
    expect((await chargePointService.get(handle.db, 'CP-I2'))?.lastSeenAt?.toISOString()).toBe('2026-11-22T13:00:05.000Z');
  });
});
