import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import { toMeterReadings, type MeterSample } from '../../src/meter-values/meter-sample.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
});
afterAll(() => handle.close());

const T0 = new Date('2026-12-02T08:00:00.000Z');
const readings = (cp: string, samples: MeterSample[], count = 1) =>
  Array.from({ length: count }, (_, i) => toMeterReadings(cp, 1, null, [{ sampledAt: new Date(T0.getTime() + i * 1000), samples }])[0]!);
const layoutCount = async () => Number((await sql<{ n: string }>`select count(*) as n from meter_layout`.execute(handle.db)).rows[0]!.n);
const valuesOf = (cp: string) =>
  handle.db.selectFrom('meterValue').select(['measurand', 'phase', 'value']).where('chargePointId', '=', cp).orderBy('readingId').orderBy('valueIndex').execute();

describe('meter reading layouts', () => {
  it('stores a layout once for any number of readings and batches, one per distinct layout', async () => {
    const before = await layoutCount();
    const energy = [{ value: '10' }, { value: '230', measurand: 'Voltage', phase: 'L1-N', unit: 'V' }];
    await meterValueRepository.insertMany(handle.db, [...readings('CP-LA', energy, 3), ...readings('CP-LA', [{ value: '50', measurand: 'SoC', unit: 'Percent' }])]);
    await meterValueRepository.insertMany(handle.db, readings('CP-LA', energy, 2));
    expect(await layoutCount()).toBe(before + 2);
    expect(await valuesOf('CP-LA')).toHaveLength(11);
  });

  it('gives each reading of a batch that mixes layouts its own layout', async () => {
    const a = [{ value: '1', measurand: 'Power.Active.Import', unit: 'W' }];
    const b = [{ value: '2', measurand: 'Power.Active.Import', unit: 'kW' }, { value: '3', measurand: 'Voltage', unit: 'V' }];
    await meterValueRepository.insertMany(handle.db, [...readings('CP-LM', a), ...readings('CP-LM', b), ...readings('CP-LM', a), ...readings('CP-LM', b)]);
    const stored = await handle.db.selectFrom('meterValue').select(['unit', 'value']).where('chargePointId', '=', 'CP-LM').orderBy('readingId').orderBy('valueIndex').execute();
    expect(stored.map((r) => `${r.value} ${r.unit}`)).toEqual(['1 W', '2 kW', '3 V', '1 W', '2 kW', '3 V']);
  });

  it('lets batches that first see the same layout at once all commit, with one layout row', async () => {
    const before = await layoutCount();
    const samples = [{ value: '1', measurand: 'Current.Import', unit: 'A', phase: 'L2' }, { value: '2', measurand: 'Current.Import', unit: 'A', phase: 'L3' }];
    await Promise.all(Array.from({ length: 6 }, (_, i) => meterValueRepository.insertMany(handle.db, readings(`CP-LB${i}`, samples, 5))));
    expect(await layoutCount()).toBe(before + 1);
    for (let i = 0; i < 6; i++) expect(await valuesOf(`CP-LB${i}`)).toHaveLength(10);
  });

  it('forgets a layout added in a transaction that rolled back', async () => {
    const samples = [{ value: '3', measurand: 'Frequency' }];
    await expect(
      handle.db.transaction().execute(async (tx) => {
        await meterValueRepository.insertMany(tx, readings('CP-LC', samples));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await meterValueRepository.insertMany(handle.db, readings('CP-LC', samples));
    expect(await valuesOf('CP-LC')).toEqual([{ measurand: 'Frequency', phase: null, value: '3' }]);
  });

  it('fails a batch whose layout vanished instead of dropping its readings, and recovers on the retry', async () => {
    const samples = [{ value: '4', measurand: 'RPM' }];
    await meterValueRepository.insertMany(handle.db, readings('CP-LD', samples));
    // As if the table were rebuilt under a running server: the writer still believes the layout exists.
    await sql`delete from meter_layout where measurand = array['RPM']`.execute(handle.db);
    await expect(meterValueRepository.insertMany(handle.db, readings('CP-LD', samples))).rejects.toThrow(/layout_id/);
    await meterValueRepository.insertMany(handle.db, readings('CP-LD', samples));
    expect(await handle.db.selectFrom('meterReading').select('id').where('chargePointId', '=', 'CP-LD').execute()).toHaveLength(2);
  });
});
