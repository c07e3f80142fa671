import type { NewMeterReading, StoredSampledValue } from '../db/schema.ts';

/** One sampled value as a charger reports it (OCPP 1.6 SampledValue). */
export interface MeterSample {
  value: string;
  context?: string | undefined;
  format?: string | undefined;
  measurand?: string | undefined;
  phase?: string | undefined;
  location?: string | undefined;
  unit?: string | undefined;
}

/** A reading as a charger reports it (OCPP 1.6 MeterValue): one timestamp, the values sampled then. */
export interface ReportedReading {
  sampledAt: Date;
  samples: readonly MeterSample[];
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?$/;

/**
 * Rows for the meter_reading table, one per reported reading; a reading without values measured
 * nothing and makes none. Omitted fields take the defaults OCPP 1.6 gives them, so every value says
 * exactly what was measured. A plain decimal is stored as numeric (exact, never a
 * float); anything else (SignedData, vendor text) is kept verbatim in raw_value: nothing is thrown away.
 */
export function toMeterReadings(
  chargePointId: string,
  connectorId: number,
  transactionId: number | null,
  readings: readonly ReportedReading[],
): NewMeterReading[] {
  return readings
    .filter((r) => r.samples.length > 0)
    .map((r) => ({ chargePointId, connectorId, transactionId, sampledAt: r.sampledAt, values: r.samples.map(toStoredValue) }));
}

function toStoredValue(s: MeterSample): StoredSampledValue {
  const format = s.format ?? 'Raw';
  const trimmed = s.value.trim();
  const numeric = format === 'Raw' && DECIMAL.test(trimmed);
  const measurand = s.measurand ?? 'Energy.Active.Import.Register';
  return {
    measurand,
    phase: s.phase ?? null,
    unit: s.unit ?? defaultUnit(measurand),
    context: s.context ?? 'Sample.Periodic',
    location: s.location ?? 'Outlet',
    format,
    value: numeric ? trimmed : null,
    rawValue: numeric ? null : s.value,
  };
}

function defaultUnit(measurand: string): string | null {
  // OCPP 1.6 makes Wh the default unit; it only makes sense for the energy measurands.
  return measurand.startsWith('Energy.') ? 'Wh' : null;
}

export interface LiveReadings {
  energyWh: number | null;
  powerW: number | null;
  currentA: number | null;
  voltageV: number | null;
  socPercent: number | null;
  sampledAt: Date | null;
}

interface ReadingRow {
  measurand: string;
  phase: string | null;
  unit: string | null;
  value: string | null;
  sampledAt: Date;
}

const SCALE: Record<string, number> = { kWh: 1000, kvarh: 1000, kW: 1000, kvar: 1000, kVA: 1000 };

/**
 * What a driver or operator wants to see of a running session, from the latest sample of each
 * measurand/phase: units normalised (kWh→Wh, kW→W); per-phase values combined the way a meter
 * reads them (energy and power add up, current takes the highest phase, voltage the average).
 */
export function summarizeReadings(rows: readonly ReadingRow[]): LiveReadings {
  const byMeasurand = new Map<string, { phaseless?: number; phases: number[] }>();
  let sampledAt: Date | null = null;
  for (const row of rows) {
    if (row.value === null) continue;
    const value = Number(row.value) * (SCALE[row.unit ?? ''] ?? 1);
    const entry = byMeasurand.get(row.measurand) ?? { phases: [] };
    if (row.phase === null || row.phase === 'N') entry.phaseless = row.phase === null ? value : entry.phaseless;
    else if (/^L\d(?:-N)?$/.test(row.phase)) entry.phases.push(value);
    byMeasurand.set(row.measurand, entry);
    if (!sampledAt || row.sampledAt > sampledAt) sampledAt = row.sampledAt;
  }
  const pick = (measurand: string, combine: (values: number[]) => number): number | null => {
    const entry = byMeasurand.get(measurand);
    if (!entry) return null;
    if (entry.phaseless !== undefined) return entry.phaseless;
    return entry.phases.length ? combine(entry.phases) : null;
  };
  const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
  return {
    energyWh: pick('Energy.Active.Import.Register', sum),
    powerW: pick('Power.Active.Import', sum),
    currentA: pick('Current.Import', (v) => Math.max(...v)),
    voltageV: pick('Voltage', (v) => sum(v) / v.length),
    socPercent: pick('SoC', (v) => Math.max(...v)),
    sampledAt,
  };
}
