import type { ReportedReading } from '../meter-values/meter-sample.ts';
import type { MeterValue } from './messages.ts';

/** OCPP MeterValue[] (timestamp + sampledValue[]) as the domain's readings. */
export function toReportedReadings(meterValues: readonly MeterValue[]): ReportedReading[] {
  return meterValues.map((mv) => ({ sampledAt: new Date(mv.timestamp), samples: mv.sampledValue }));
}
