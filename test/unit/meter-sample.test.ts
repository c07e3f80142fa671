import { describe, expect, it } from 'vitest';
import { summarizeReadings, toMeterReadings, type MeterSample } from '../../src/meter-values/meter-sample.ts';

const T0 = new Date('2024-05-01T10:00:00.000Z');
const T1 = new Date('2024-05-01T10:01:00.000Z');
const T2 = new Date('2024-05-01T10:02:00.000Z');

/** The one value of a one-sample reading, with the reading's where and when. */
function row({ sampledAt, ...sample }: MeterSample & { sampledAt: Date }, transactionId: number | null = 7) {
  const readings = toMeterReadings('CP-1', 2, transactionId, [{ sampledAt, samples: [sample] }]);
  expect(readings).toHaveLength(1);
  const { values, ...reading } = readings[0]!;
  expect(values).toHaveLength(1);
  return { ...reading, ...values[0]! };
}

describe('toMeterReadings', () => {
  it('applies the OCPP 1.6 defaults to a bare sampled value', () => {
    expect(row({ sampledAt: T0, value: '12345' })).toEqual({
      chargePointId: 'CP-1',
      connectorId: 2,
      transactionId: 7,
      sampledAt: T0,
      measurand: 'Energy.Active.Import.Register',
      phase: null,
      unit: 'Wh',
      context: 'Sample.Periodic',
      location: 'Outlet',
      format: 'Raw',
      value: '12345',
      rawValue: null,
    });
  });

  it('keeps every field the charger sent', () => {
    expect(
      row({
        sampledAt: T1,
        value: '16.2',
        measurand: 'Current.Import',
        phase: 'L2',
        unit: 'A',
        context: 'Transaction.Begin',
        location: 'Inlet',
        format: 'Raw',
      }),
    ).toEqual({
      chargePointId: 'CP-1',
      connectorId: 2,
      transactionId: 7,
      sampledAt: T1,
      measurand: 'Current.Import',
      phase: 'L2',
      unit: 'A',
      context: 'Transaction.Begin',
      location: 'Inlet',
      format: 'Raw',
      value: '16.2',
      rawValue: null,
    });
  });

  it('gives Wh as the default unit only to Energy.* measurands', () => {
    expect(row({ sampledAt: T0, value: '1', measurand: 'Energy.Active.Export.Register' }).unit).toBe('Wh');
    expect(row({ sampledAt: T0, value: '1', measurand: 'Energy.Reactive.Import.Interval' }).unit).toBe('Wh');
    expect(row({ sampledAt: T0, value: '1', measurand: 'Power.Active.Import' }).unit).toBeNull();
    expect(row({ sampledAt: T0, value: '1', measurand: 'Current.Import' }).unit).toBeNull();
    expect(row({ sampledAt: T0, value: '1', measurand: 'Voltage' }).unit).toBeNull();
    expect(row({ sampledAt: T0, value: '55', measurand: 'SoC' }).unit).toBeNull();
  });

  it('keeps an explicit unit on an energy measurand', () => {
    expect(row({ sampledAt: T0, value: '12.5', unit: 'kWh' }).unit).toBe('kWh');
  });

  it.each(['12345.678', '0.1', '0', '-5', '+3', '.5', '5.', '1e3', '2.5E-2', '0.000000000000000000001', '123456789012345678901234567890'])(
    'stores the decimal %s exactly as written',
    (value) => {
      const r = row({ sampledAt: T0, value });
      expect(r.value).toBe(value);
      expect(typeof r.value).toBe('string');
      expect(r.rawValue).toBeNull();
    },
  );

  it('trims whitespace around a decimal value', () => {
    const r = row({ sampledAt: T0, value: ' 42.10 ' });
    expect(r.value).toBe('42.10');
    expect(r.rawValue).toBeNull();
  });

  it('keeps a SignedData value verbatim in rawValue with value null', () => {
    const signed = 'AP;0;3;ALCV3ABBBISHMA2RYEGAZE3HV5YQBQRQAEHAR3B6DR;BIHEIWSHAAA2W2V7OYYDCNQAAAFACRC2I4ADGAETI4AAAABAOOJYUAGMXEGV4AIAAEEAB7Y6AAO3EAIAAAAAAABQGQ2UINJZGZATGOJYIJGUBQKAAVMQNVSJ6';
    const r = row({ sampledAt: T0, value: signed, format: 'SignedData' });
    expect(r.format).toBe('SignedData');
    expect(r.value).toBeNull();
    expect(r.rawValue).toBe(signed);
  });

  it('keeps a numeric-looking SignedData value in rawValue', () => {
    const r = row({ sampledAt: T0, value: '12345', format: 'SignedData' });
    expect(r.value).toBeNull();
    expect(r.rawValue).toBe('12345');
  });

  it.each(['n/a', '', '12,5', '0x1F', 'NaN', 'Infinity', '1e', '1.2.3', '12 kWh'])(
    'keeps the non-numeric Raw value %j in rawValue with value null',
    (value) => {
      const r = row({ sampledAt: T0, value });
      expect(r.format).toBe('Raw');
      expect(r.value).toBeNull();
      expect(r.rawValue).toBe(value);
    },
  );

  it('passes a null transactionId through', () => {
    expect(row({ sampledAt: T0, value: '1' }, null).transactionId).toBeNull();
  });

  it('makes one row per reading, its values in order, and none for a reading without values', () => {
    const readings = toMeterReadings('CP-9', 0, null, [
      { sampledAt: T0, samples: [{ value: '1' }, { value: '230.1', measurand: 'Voltage', phase: 'L1-N', unit: 'V' }] },
      { sampledAt: T2, samples: [] },
      { sampledAt: T1, samples: [{ value: 'x', format: 'SignedData' }] },
    ]);
    expect(readings.map((r) => [r.chargePointId, r.connectorId, r.sampledAt, r.values.map((v) => [v.measurand, v.phase, v.value, v.rawValue])])).toEqual([
      ['CP-9', 0, T0, [['Energy.Active.Import.Register', null, '1', null], ['Voltage', 'L1-N', '230.1', null]]],
      ['CP-9', 0, T1, [['Energy.Active.Import.Register', null, null, 'x']]],
    ]);
  });

  it('returns no readings for no samples', () => {
    expect(toMeterReadings('CP-1', 1, 1, [])).toEqual([]);
  });
});

interface Row {
  measurand: string;
  phase: string | null;
  unit: string | null;
  value: string | null;
  sampledAt: Date;
}

const r = (measurand: string, value: string | null, unit: string | null = null, phase: string | null = null, sampledAt = T0): Row => ({
  measurand,
  phase,
  unit,
  value,
  sampledAt,
});

describe('summarizeReadings', () => {
  it('returns all nulls for no rows', () => {
    expect(summarizeReadings([])).toEqual({
      energyWh: null,
      powerW: null,
      currentA: null,
      voltageV: null,
      socPercent: null,
      sampledAt: null,
    });
  });

  it('reads phaseless values in their base units', () => {
    expect(
      summarizeReadings([
        r('Energy.Active.Import.Register', '12345.5', 'Wh'),
        r('Power.Active.Import', '7200', 'W'),
        r('Current.Import', '31.5', 'A'),
        r('Voltage', '229.9', 'V'),
        r('SoC', '64', 'Percent'),
      ]),
    ).toEqual({
      energyWh: 12345.5,
      powerW: 7200,
      currentA: 31.5,
      voltageV: 229.9,
      socPercent: 64,
      sampledAt: T0,
    });
  });

  it('converts kWh to Wh and kW to W', () => {
    const s = summarizeReadings([r('Energy.Active.Import.Register', '12.5', 'kWh'), r('Power.Active.Import', '7.2', 'kW')]);
    expect(s.energyWh).toBe(12500);
    expect(s.powerW).toBe(7200);
  });

  it('treats a missing unit as the base unit', () => {
    expect(summarizeReadings([r('Energy.Active.Import.Register', '800', null)]).energyWh).toBe(800);
  });

  it('sums per-phase energy and power', () => {
    const s = summarizeReadings([
      r('Energy.Active.Import.Register', '1000', 'Wh', 'L1'),
      r('Energy.Active.Import.Register', '2000', 'Wh', 'L2'),
      r('Energy.Active.Import.Register', '3', 'kWh', 'L3'),
      r('Power.Active.Import', '2.3', 'kW', 'L1'),
      r('Power.Active.Import', '2300', 'W', 'L2'),
      r('Power.Active.Import', '2400', 'W', 'L3'),
    ]);
    expect(s.energyWh).toBe(6000);
    expect(s.powerW).toBe(7000);
  });

  it('takes the highest phase current', () => {
    const s = summarizeReadings([
      r('Current.Import', '15.5', 'A', 'L1'),
      r('Current.Import', '16.25', 'A', 'L2'),
      r('Current.Import', '14', 'A', 'L3'),
    ]);
    expect(s.currentA).toBe(16.25);
  });

  it('averages phase voltages, L1-N style phases included', () => {
    const s = summarizeReadings([
      r('Voltage', '230', 'V', 'L1-N'),
      r('Voltage', '232', 'V', 'L2-N'),
      r('Voltage', '228', 'V', 'L3-N'),
    ]);
    expect(s.voltageV).toBe(230);
    expect(summarizeReadings([r('Voltage', '220', 'V', 'L1'), r('Voltage', '240', 'V', 'L2-N')]).voltageV).toBe(230);
  });

  it('ignores line-to-line and neutral phases when combining', () => {
    const s = summarizeReadings([
      r('Voltage', '230', 'V', 'L1-N'),
      r('Voltage', '400', 'V', 'L1-L2'),
      r('Voltage', '3', 'V', 'N'),
      r('Current.Import', '10', 'A', 'L1'),
      r('Current.Import', '99', 'A', 'N'),
    ]);
    expect(s.voltageV).toBe(230);
    expect(s.currentA).toBe(10);
  });

  it('prefers the phaseless value over the phases, in either order', () => {
    const phases = [r('Energy.Active.Import.Register', '100', 'Wh', 'L1'), r('Energy.Active.Import.Register', '200', 'Wh', 'L2')];
    const total = r('Energy.Active.Import.Register', '5000', 'Wh');
    expect(summarizeReadings([...phases, total]).energyWh).toBe(5000);
    expect(summarizeReadings([total, ...phases]).energyWh).toBe(5000);
    expect(summarizeReadings([r('Current.Import', '32', 'A', 'L1'), r('Current.Import', '20', 'A')]).currentA).toBe(20);
  });

  it('leaves a measurand null when it is missing', () => {
    const s = summarizeReadings([r('Energy.Active.Import.Register', '10', 'Wh')]);
    expect(s.energyWh).toBe(10);
    expect(s.powerW).toBeNull();
    expect(s.currentA).toBeNull();
    expect(s.voltageV).toBeNull();
    expect(s.socPercent).toBeNull();
  });

  it('is null for a measurand with only line-to-line phases', () => {
    expect(summarizeReadings([r('Voltage', '400', 'V', 'L1-L2')]).voltageV).toBeNull();
  });

  it('skips rows without a numeric value', () => {
    const s = summarizeReadings([r('Power.Active.Import', null, 'W', null, T2), r('Energy.Active.Import.Register', '5', 'Wh', null, T1)]);
    expect(s.powerW).toBeNull();
    expect(s.energyWh).toBe(5);
    expect(s.sampledAt).toEqual(T1);
  });

  it('reports the latest sampledAt of all rows', () => {
    const s = summarizeReadings([
      r('Energy.Active.Import.Register', '1', 'Wh', null, T1),
      r('Power.Active.Import', '2', 'W', null, T2),
      r('SoC', '3', 'Percent', null, T0),
    ]);
    expect(s.sampledAt).toEqual(T2);
  });

  it('ignores measurands it does not summarise, apart from sampledAt', () => {
    const s = summarizeReadings([r('Temperature', '40', 'Celsius', null, T1), r('Frequency', '50', null, null, T0)]);
    expect(s).toEqual({ energyWh: null, powerW: null, currentA: null, voltageV: null, socPercent: null, sampledAt: T1 });
  });

  it('keeps fractional precision of decimal strings', () => {
    expect(summarizeReadings([r('Energy.Active.Import.Register', '0.001', 'kWh')]).energyWh).toBe(1);
    expect(summarizeReadings([r('SoC', '55.5', 'Percent')]).socPercent).toBe(55.5);
  });
});
