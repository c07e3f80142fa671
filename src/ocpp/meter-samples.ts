import type { MeterSample } from '../meter-values/meter-sample.ts';
import type { MeterValue } from './messages.ts';

/** Flattens OCPP MeterValue[] (timestamp + sampledValue[]) into one domain sample per value. */
export function toMeterSamples(meterValues: readonly MeterValue[]): MeterSample[] {
  return meterValues.flatMap((mv) => {
    const sampledAt = new Date(mv.timestamp);
    return mv.sampledValue.map((sv) => ({ sampledAt, ...sv }));
  });
}
