import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../src/db/database.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import { toMeterReadings } from '../../src/meter-values/meter-sample.ts';
import { down, up } from '../../migrations/2026-12-02T0300-meter-readings.ts';
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

describe('migration 2026-12-02T0300-meter-readings', () => {
  it('turns one row per value into one row per reading and back, keeping every value and its order', async () => {
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

    const db = handle.db as unknown as Kysely<unknown>;
    await down(db);
    // meter_value is the per-value table again: its own id gives the order.
    const perValue = await handle.db.selectFrom('meterValue').select(['chargePointId', 'connectorId', 'transactionId', 'sampledAt', 'measurand', 'phase', 'unit', 'value', 'rawValue']).orderBy('id' as never).execute();
    expect(perValue).toEqual(before);

    await up(db);
    expect(await stored()).toEqual(before);
    const readings = await handle.db.selectFrom('meterReading').select(['connectorId', 'measurand']).orderBy('id').execute();
    expect(readings).toEqual([
      { connectorId: 1, measurand: ['Energy.Active.Import.Register', 'Voltage', 'Energy.Active.Import.Register'] },
      { connectorId: 2, measurand: ['SoC'] },
    ]);
  });

  it('refuses a reading whose value arrays differ in length', async () => {
    await expect(
      handle.db
        .insertInto('meterReading')
        .values({
          chargePointId: 'CP-M', connectorId: 1, transactionId: null, sampledAt: T0,
          measurand: ['Voltage', 'SoC'], phase: [null], unit: [null], context: ['Sample.Periodic'], location: ['Outlet'], format: ['Raw'], value: ['1'], rawValue: [null],
        })
        .execute(),
    ).rejects.toThrow(/meter_reading_values_aligned/);
  });
});
