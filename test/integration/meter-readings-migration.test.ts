import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import { toMeterReadings } from '../../src/meter-values/meter-sample.ts';
import { down, up } from '../../migrations/2026-12-02T0300-meter-readings.ts';
import { down as downLayouts, up as upLayouts } from '../../migrations/2026-12-02T0700-meter-layouts.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await createTestDatabase();
});

afterAll(async () => {
  await handle.close();
});

const T0 = new Date('2026-11-22T10:00:00.000Z');
const T1 = new Date('2026-11-22T10:01:00.000Z');

const stored = () =>
  handle.db
    .selectFrom('meterValue')
    .select(['chargePointId', 'connectorId', 'transactionId', 'sampledAt', 'measurand', 'phase', 'unit', 'value', 'rawValue'])
    .orderBy('readingId').orderBy('valueIndex')
    .execute();

const raw = () => handle.db as unknown as Kysely<unknown>;
const layouts = async () =>
  (await sql<{ measurand: string[]; phase: Array<string | null> }>`select measurand, phase from meter_layout order by id`.execute(handle.db)).rows;

describe('migrations of meter value storage', () => {
  it('2026-12-02T0700-meter-layouts: stores each distinct layout once and converts back, values and order kept', async () => {
    await meterValueRepository.insertMany(handle.db, [
      ...toMeterReadings('CP-L', 1, null, [
        { sampledAt: T0, samples: [{ value: '1' }, { value: '230', measurand: 'Voltage', phase: 'L1-N', unit: 'V' }] },
        { sampledAt: T1, samples: [{ value: '2' }, { value: '231', measurand: 'Voltage', phase: 'L1-N', unit: 'V' }] },
      ]),
      ...toMeterReadings('CP-L', 2, null, [{ sampledAt: T1, samples: [{ value: '9', measurand: 'SoC', unit: 'Percent' }] }]),
    ]);
    const before = await stored();
    expect(before).toHaveLength(5);
    expect(await layouts()).toEqual([
      { measurand: ['Energy.Active.Import.Register', 'Voltage'], phase: [null, 'L1-N'] },
      { measurand: ['SoC'], phase: [null] },
    ]);

    await downLayouts(raw());
    expect(await stored()).toEqual(before);
    const perReading = await sql<{ measurand: string[] }>`select measurand from meter_reading where charge_point_id = 'CP-L' order by id`.execute(handle.db);
    expect(perReading.rows.map((r) => r.measurand)).toEqual([['Energy.Active.Import.Register', 'Voltage'], ['Energy.Active.Import.Register', 'Voltage'], ['SoC']]);

    await upLayouts(raw());
    expect(await stored()).toEqual(before);
    expect(await layouts()).toHaveLength(2);
    // The writer still finds (and reuses) the layouts the migration made.
    await meterValueRepository.insertMany(handle.db, toMeterReadings('CP-L', 2, null, [{ sampledAt: T1, samples: [{ value: '10', measurand: 'SoC', unit: 'Percent' }] }]));
    expect(await layouts()).toHaveLength(2);
    await handle.db.deleteFrom('meterReading').execute();
  });

  it('2026-12-02T0300-meter-readings: turns one row per value into one row per reading and back, keeping every value and its order', async () => {
    await meterValueRepository.insertMany(handle.db, [
      ...toMeterReadings('CP-M', 1, null, [
        {
          sampledAt: T0,
          samples: [
            { value: '100', measurand: 'Energy.Active.Import.Register' },
            { value: '230.5', measurand: 'Voltage', phase: 'L1-N', unit: 'V' },
            { value: 'a,b "c" {d}', format: 'SignedData' },
          ],
        },
      ]),
      ...toMeterReadings('CP-M', 2, null, [{ sampledAt: T1, samples: [{ value: '7', measurand: 'SoC', unit: 'Percent' }] }]),
    ]);
    const before = await stored();
    expect(before).toHaveLength(4);

    await downLayouts(raw());
    await down(raw());
    // meter_value is the per-value table again: its own id gives the order.
    const perValue = await handle.db.selectFrom('meterValue').select(['chargePointId', 'connectorId', 'transactionId', 'sampledAt', 'measurand', 'phase', 'unit', 'value', 'rawValue']).orderBy('id' as never).execute();
    expect(perValue).toEqual(before);

    await up(raw());
    expect(await stored()).toEqual(before);
    const readings = await sql<{ connectorId: number; measurand: string[] }>`select connector_id, measurand from meter_reading order by id`.execute(handle.db);
    expect(readings.rows).toEqual([
      { connectorId: 1, measurand: ['Energy.Active.Import.Register', 'Voltage', 'Energy.Active.Import.Register'] },
      { connectorId: 2, measurand: ['SoC'] },
    ]);
    await upLayouts(raw());
    expect(await stored()).toEqual(before);
  });

  it('refuses a reading whose value arrays differ in length, and a layout whose arrays do', async () => {
    const [layout] = await layouts();
    expect(layout).toBeDefined();
    const { id } = await handle.db.selectFrom('meterLayout').select('id').orderBy('id').executeTakeFirstOrThrow();
    await expect(
      handle.db
        .insertInto('meterReading')
        .values({ chargePointId: 'CP-M', connectorId: 1, transactionId: null, sampledAt: T0, layoutId: id, value: ['1', '2'], rawValue: [null] })
        .execute(),
    ).rejects.toThrow(/meter_reading_values_aligned/);
    await expect(
      handle.db
        .insertInto('meterLayout')
        .values({ measurand: ['Voltage', 'SoC'], phase: [null], unit: [null], context: ['Sample.Periodic'], location: ['Outlet'], format: ['Raw'] })
        .execute(),
    ).rejects.toThrow(/meter_layout_aligned/);
  });
});
