import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as chargePointService from '../../src/charge-points/charge-point.service.ts';
import type { DatabaseHandle } from '../../src/db/database.ts';
import * as idTagService from '../../src/id-tags/id-tag.service.ts';
import * as meterValueRepository from '../../src/meter-values/meter-value.repository.ts';
import * as transactionService from '../../src/transactions/transaction.service.ts';
import { createTestDatabase } from '../fixtures/test-database.ts';

let handle: DatabaseHandle;
const now = new Date('2026-11-22T12:00:00.000Z');

beforeAll(async () => {
  handle = await createTestDatabase();
  await chargePointService.register(handle.db, { id: 'CP-TX', password: null });
  await chargePointService.register(handle.db, { id: 'CP-OTHER', password: null });
  await idTagService.upsert(handle.db, { idTag: 'GROUP-A' });
  await idTagService.upsert(handle.db, { idTag: 'TAG-OK', parentIdTag: 'GROUP-A', expiryDate: new Date('2031-01-01T00:00:00Z') });
  await idTagService.upsert(handle.db, { idTag: 'TAG-BLOCKED', status: 'Blocked' });
  await idTagService.upsert(handle.db, { idTag: 'GROUP-B', status: 'Blocked' });
  await idTagService.upsert(handle.db, { idTag: 'TAG-IN-B', parentIdTag: 'GROUP-B' });
  await idTagService.upsert(handle.db, { idTag: 'TAG-OLD', expiryDate: new Date('2020-01-01T00:00:00Z') });
});
afterAll(() => handle.close());

const start = (overrides: Partial<transactionService.StartInput> = {}) =>
  transactionService.start(
    handle.db,
    {
      chargePointId: 'CP-TX',
      connectorId: 1,
      idTag: 'TAG-OK',
      meterStart: 1000,
      timestamp: new Date('2026-11-22T11:59:00.000Z'),
      reservationId: null,
      ...overrides,
    },
    now,
  );

describe('id tag authorization', () => {
  it('judges tags from the id tag table, case-insensitively', async () => {
    expect((await idTagService.authorize(handle.db, 'TAG-OK', now)).status).toBe('Accepted');
    expect((await idTagService.authorize(handle.db, 'tag-ok', now)).status).toBe('Accepted');
    expect((await idTagService.authorize(handle.db, 'TAG-BLOCKED', now)).status).toBe('Blocked');
    expect((await idTagService.authorize(handle.db, 'TAG-OLD', now)).status).toBe('Expired');
    expect((await idTagService.authorize(handle.db, 'TAG-IN-B', now)).status).toBe('Blocked');
    expect((await idTagService.authorize(handle.db, 'NOPE', now)).status).toBe('Invalid');
    expect(await idTagService.authorize(handle.db, 'TAG-OK', now)).toMatchObject({
      expiryDate: new Date('2031-01-01T00:00:00Z'),
      parentIdTag: 'GROUP-A',
    });
  });
});

describe('transactions', () => {
  let firstId: number;

  it('starts a transaction and answers the same id for a resent start', async () => {
    const first = await start();
    expect(first).toMatchObject({ created: true, idTag: { status: 'Accepted' } });
    firstId = first.transactionId;
    const again = await start();
    expect(again).toMatchObject({ transactionId: firstId, created: false, idTag: { status: 'Accepted' } });
    const rows = await handle.db.selectFrom('transaction').selectAll().where('chargePointId', '=', 'CP-TX').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ connectorId: 1, meterStart: 1000, idTagStatus: 'Accepted', stopTimestamp: null });
  });

  it('says ConcurrentTx when the tag already charges elsewhere, and still records the energy', async () => {
    const second = await start({ chargePointId: 'CP-OTHER', timestamp: new Date('2026-11-22T11:59:30.000Z') });
    expect(second.idTag.status).toBe('ConcurrentTx');
    expect(second.transactionId).not.toBe(firstId);
    const blocked = await start({ connectorId: 2, idTag: 'TAG-BLOCKED' });
    expect(blocked.idTag.status).toBe('Blocked');
    const unknown = await start({ connectorId: 3, idTag: 'WHO-IS-THIS' });
    expect(unknown.idTag.status).toBe('Invalid');
    expect((await transactionService.get(handle.db, unknown.transactionId))?.idTagStatus).toBe('Invalid');
  });

  it('stops a transaction with its meter values, and accepts a resent stop without a second record', async () => {
    const stop = {
      chargePointId: 'CP-TX',
      transactionId: firstId,
      meterStop: 5432,
      timestamp: new Date('2026-11-22T12:30:00.000Z'),
      idTag: 'TAG-OK',
      reason: 'EVDisconnected',
      transactionData: [
        {
          sampledAt: new Date('2026-11-22T12:30:00.000Z'),
          samples: [{ value: '5432', context: 'Transaction.End' }, { value: '7.4', measurand: 'Power.Active.Import', unit: 'kW' }],
        },
      ],
      raw: {},
    };
    expect(await transactionService.stop(handle.db, stop, now)).toMatchObject({ outcome: 'stopped', idTag: { status: 'Accepted' } });
    const row = await transactionService.get(handle.db, firstId);
    expect(row).toMatchObject({ meterStop: 5432, stopReason: 'EVDisconnected', stopIdTag: 'TAG-OK' });
    expect(row?.stopTimestamp?.toISOString()).toBe('2026-11-22T12:30:00.000Z');
    const values = await transactionService.listMeterValues(handle.db, firstId);
    expect(values.map((v) => [v.measurand, v.value, v.unit, v.context])).toEqual([
      ['Energy.Active.Import.Register', '5432', 'Wh', 'Transaction.End'],
      ['Power.Active.Import', '7.4', 'kW', 'Sample.Periodic'],
    ]);

    expect((await transactionService.stop(handle.db, stop, now)).outcome).toBe('resent');
    expect(await transactionService.listStopAnomalies(handle.db, 'CP-TX')).toHaveLength(0);
    expect(await transactionService.listMeterValues(handle.db, firstId)).toHaveLength(2);
  });

  it('records a stop for an unknown or already-closed transaction for an operator, keeping its readings', async () => {
    const unknown = await transactionService.stop(
      handle.db,
      {
        chargePointId: 'CP-TX',
        transactionId: 999_999,
        meterStop: 10,
        timestamp: now,
        idTag: null,
        reason: 'Local',
        transactionData: [{ sampledAt: now, samples: [{ value: '10' }] }],
        raw: { transactionId: 999_999, meterStop: 10 },
      },
      now,
    );
    expect(unknown).toEqual({ outcome: 'unknown_transaction', idTag: null });

    const different = await transactionService.stop(
      handle.db,
      { chargePointId: 'CP-TX', transactionId: firstId, meterStop: 6000, timestamp: now, idTag: null, reason: 'Other', transactionData: [], raw: { x: 1 } },
      now,
    );
    expect(different.outcome).toBe('already_stopped');
    // The transaction of another charger is not this charger's to stop.
    const foreign = await transactionService.stop(
      handle.db,
      { chargePointId: 'CP-OTHER', transactionId: firstId, meterStop: 1, timestamp: now, idTag: null, reason: 'Local', transactionData: [], raw: {} },
      now,
    );
    expect(foreign.outcome).toBe('unknown_transaction');

    const anomalies = await transactionService.listStopAnomalies(handle.db, 'CP-TX');
    expect(anomalies.map((a) => [a.kind, a.transactionId, a.meterStop])).toEqual(
      expect.arrayContaining([
        ['unknown_transaction', 999_999, 10],
        ['already_stopped', firstId, 6000],
      ]),
    );
    expect(anomalies.find((a) => a.kind === 'unknown_transaction')?.payload).toEqual({ transactionId: 999_999, meterStop: 10 });
    expect((await transactionService.get(handle.db, firstId))?.meterStop).toBe(5432);
    const orphanReadings = await handle.db.selectFrom('meterValue').selectAll().where('transactionId', 'is', null).execute();
    expect(orphanReadings.map((r) => r.value)).toEqual(['10']);
  });

  it('reads live energy, power, current, voltage and SoC of a running transaction', async () => {
    const running = await start({ connectorId: 4, idTag: 'GROUP-A', timestamp: new Date('2026-11-22T11:00:00Z') });
    const t = new Date('2026-11-22T11:05:00Z');
    await meterValueRepository.insertMany(handle.db, [
      {
        chargePointId: 'CP-TX',
        connectorId: 4,
        transactionId: running.transactionId,
        sampledAt: t,
        values: [
          ['Energy.Active.Import.Register', null, '12.345', 'kWh'],
          ['Power.Active.Import', 'L1', '3680', 'W'],
          ['Power.Active.Import', 'L2', '3680', 'W'],
          ['Current.Import', 'L1', '16.1', 'A'],
          ['Current.Import', 'L2', '15.9', 'A'],
          ['Voltage', 'L1-N', '229', 'V'],
          ['Voltage', 'L2-N', '231', 'V'],
          ['SoC', null, '57', 'Percent'],
        ].map(([measurand, phase, value, unit]) => ({
          measurand: measurand!,
          phase: phase ?? null,
          unit: unit ?? null,
          value: value ?? null,
          rawValue: null,
          context: 'Sample.Periodic',
          format: 'Raw',
          location: 'Outlet',
        })),
      },
    ]);
    expect(await transactionService.liveReadings(handle.db, running.transactionId)).toEqual({
      energyWh: 12345,
      powerW: 7360,
      currentA: 16.1,
      voltageV: 230,
      socPercent: 57,
      sampledAt: t,
    });
    expect((await transactionService.findActive(handle.db, 'CP-TX', 4)).map((r) => r.id)).toEqual([running.transactionId]);
  });
});
