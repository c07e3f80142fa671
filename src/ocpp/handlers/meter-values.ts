import { toMeterReadings } from '../../meter-values/meter-sample.ts';
import type { OcppHandler } from '../context.ts';
import { toReportedReadings } from '../meter-samples.ts';

export const meterValues: OcppHandler<'MeterValues'> = async (ctx, req) => {
  const readings = toMeterReadings(ctx.chargePointId, req.connectorId, req.transactionId ?? null, toReportedReadings(req.meterValue));
  await ctx.ingest.meterValues(readings);
  return {};
};
