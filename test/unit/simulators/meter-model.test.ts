import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { MeterModel, seededRandom } from '../../../simulators/meter-model.ts';
import { ChargingProfileStore, schemaDecimal } from '../../../simulators/charging-profiles.ts';

const require = createRequire(import.meta.url);
const schemas = JSON.parse(readFileSync(require.resolve('ocpp-rpc/lib/schemas/ocpp1_6.json'), 'utf8')) as Array<{ $id: string; properties: Record<string, any> }>;
const meterValuesSchema = schemas.find((s) => s.$id === 'urn:MeterValues.req');
const sampledValueProps = meterValuesSchema?.properties.meterValue.items.properties.sampledValue.items.properties as Record<string, { enum?: string[] }>;

function fakeClock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (sec: number) => { t += sec * 1000; } };
}

const value = (samples: ReturnType<MeterModel['sample']>, measurand: string) =>
  Number(samples.find((s) => s.measurand === measurand)?.value);

describe('MeterModel', () => {
  it('energy register is monotonic and integrates power over elapsed time', () => {
    const clock = fakeClock();
    const meter = new MeterModel({ seed: 1, now: clock.now, initialEnergyWh: 1000, maxPowerW: 11000 });
    expect(meter.energyWh).toBe(1000);
    clock.advance(600);
    expect(meter.energyWh).toBe(1000); // no session: no energy
    meter.startSession({ socPercent: 20 });
    let last = meter.energyWh;
    for (let i = 0; i < 120; i++) {
      clock.advance(60);
      const now = meter.energyWh;
      expect(now).toBeGreaterThanOrEqual(last);
      last = now;
    }
    // first hour at full power (SoC < 80 % with 60 kWh battery): ~11 kWh
    const m2 = new MeterModel({ seed: 1, now: clock.now, initialEnergyWh: 0, maxPowerW: 11000 });
    m2.startSession({ socPercent: 10 });
    clock.advance(3600);
    expect(m2.energyWh).toBeGreaterThan(10_990);
    expect(m2.energyWh).toBeLessThanOrEqual(11_000);
    m2.stopSession();
    const stopped = m2.energyWh;
    clock.advance(3600);
    expect(m2.energyWh).toBe(stopped);
  });

  it('SoC rises with energy and battery size', () => {
    const clock = fakeClock();
    const meter = new MeterModel({ seed: 2, now: clock.now, batteryKWh: 50, maxPowerW: 10000 });
    meter.startSession({ socPercent: 20 });
    clock.advance(3600); // 10 kWh into 50 kWh at 92 % efficiency ≈ +18.4 %
    expect(meter.soc).toBeCloseTo(20 + 18.4, 0);
  });

  it('charges at full power up to 80 % SoC and tapers above', () => {
    const meter = new MeterModel({ seed: 3, maxPowerW: 22000 });
    expect(meter.powerForSoC(10)).toBe(22000);
    expect(meter.powerForSoC(79.9)).toBe(22000);
    expect(meter.powerForSoC(85)).toBeLessThan(22000);
    expect(meter.powerForSoC(90)).toBeLessThan(meter.powerForSoC(85));
    expect(meter.powerForSoC(99)).toBeLessThan(0.1 * 22000);
    expect(meter.powerForSoC(100)).toBe(0);

    const clock = fakeClock();
    const live = new MeterModel({ seed: 3, now: clock.now, maxPowerW: 22000, batteryKWh: 40 });
    live.startSession({ socPercent: 70 });
    expect(live.powerW).toBe(22000);
    clock.advance(1800);
    expect(live.soc).toBeGreaterThan(80);
    expect(live.powerW).toBeLessThan(22000);
    clock.advance(5 * 3600);
    expect(live.soc).toBeLessThanOrEqual(100);
    expect(live.powerW).toBeLessThan(2000);
  });

  it('respects a power limit', () => {
    const meter = new MeterModel({ seed: 4, maxPowerW: 22000 });
    meter.startSession({ socPercent: 30 });
    meter.setPowerLimitW(7400);
    expect(meter.powerW).toBe(7400);
    meter.setPowerLimitW(undefined);
    expect(meter.powerW).toBe(22000);
  });

  it('samples exactly 6 schema-valid values with decimal strings', () => {
    const clock = fakeClock();
    const meter = new MeterModel({ seed: 5, now: clock.now });
    meter.startSession({ socPercent: 40 });
    clock.advance(90);
    for (const context of ['Sample.Periodic', 'Transaction.Begin', 'Transaction.End', 'Trigger'] as const) {
      const samples = meter.sample(context);
      expect(samples).toHaveLength(6);
      expect(samples.map((s) => s.measurand)).toEqual([
        'Energy.Active.Import.Register', 'Power.Active.Import', 'Current.Import', 'Voltage', 'SoC', 'Temperature',
      ]);
      expect(samples.map((s) => s.unit)).toEqual(['Wh', 'W', 'A', 'V', 'Percent', 'Celsius']);
      for (const s of samples) {
        expect(s.value).toMatch(/^\d+(\.\d{1,3})?$/);
        expect(s.context).toBe(context);
        for (const key of ['context', 'format', 'measurand', 'phase', 'location', 'unit'] as const) {
          const v = s[key];
          if (v !== undefined) expect(sampledValueProps[key]?.enum).toContain(v);
        }
        expect(Object.keys(s).every((k) => k in sampledValueProps)).toBe(true);
      }
    }
  });

  it('reports current and voltage consistent with power (AC 3-phase and DC)', () => {
    const ac = new MeterModel({ seed: 6, maxPowerW: 22000 });
    ac.startSession({ socPercent: 30 });
    const s = ac.sample();
    const p = value(s, 'Power.Active.Import');
    const v = value(s, 'Voltage');
    expect(v).toBeGreaterThan(225);
    expect(v).toBeLessThan(235);
    expect(value(s, 'Current.Import')).toBeCloseTo(p / (3 * v), 1);
    expect(value(s, 'Current.Import')).toBeGreaterThan(30);

    const dc = new MeterModel({ seed: 6, maxPowerW: 150000 });
    expect(dc.currentType).toBe('DC');
    dc.startSession({ socPercent: 30 });
    const d = dc.sample();
    expect(value(d, 'Voltage')).toBeGreaterThan(340);
    expect(value(d, 'Voltage')).toBeLessThan(420);
    expect(value(d, 'Current.Import')).toBeCloseTo(value(d, 'Power.Active.Import') / value(d, 'Voltage'), 1);
  });

  it('is deterministic for a given seed and clock', () => {
    const run = () => {
      const clock = fakeClock();
      const meter = new MeterModel({ seed: 42, now: clock.now });
      meter.startSession();
      const out = [];
      for (let i = 0; i < 5; i++) { clock.advance(60); out.push(meter.sample()); }
      return out;
    };
    expect(run()).toEqual(run());
    expect(seededRandom(7)()).toBe(seededRandom(7)());
  });
});

describe('charging profile limits', () => {
  it('schemaDecimal yields values that pass ajv multipleOf 0.1', () => {
    for (const x of [31.9, 0.3, 7.3, 16.1, 22000, 13.87]) {
      const r = schemaDecimal(x);
      expect(r / 0.1).toBe(Math.trunc(r / 0.1));
      expect(Math.abs(r - x)).toBeLessThan(1);
    }
  });

  it('computes the limit and composite schedule from stored profiles', () => {
    const clock = fakeClock();
    const store = new ChargingProfileStore(22000, clock.now);
    expect(store.composite(1, 3600)).toBeUndefined();
    expect(store.set(1, {
      chargingProfileId: 1, stackLevel: 0, chargingProfilePurpose: 'TxDefaultProfile', chargingProfileKind: 'Absolute',
      chargingSchedule: {
        chargingRateUnit: 'A', startSchedule: new Date(clock.now()).toISOString(),
        chargingSchedulePeriod: [{ startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 10 }],
      },
    })).toBe('Accepted');
    expect(store.limitAt(1, clock.now(), 'A')).toBe(16);
    expect(store.limitAt(1, clock.now(), 'W')).toBe(16 * 3 * 230);
    const composite = store.composite(1, 3600, 'A');
    expect(composite?.chargingSchedule.chargingSchedulePeriod).toEqual([
      { startPeriod: 0, limit: 16 }, { startPeriod: 1800, limit: 10 },
    ]);
    // TxProfile needs a transaction
    expect(store.set(1, {
      chargingProfileId: 2, stackLevel: 1, chargingProfilePurpose: 'TxProfile', chargingProfileKind: 'Relative',
      chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3000 }] },
    })).toBe('Rejected');
    expect(store.clear({ id: 1 })).toBe(true);
    expect(store.clear({ id: 1 })).toBe(false);
  });
});
