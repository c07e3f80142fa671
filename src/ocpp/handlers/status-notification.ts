import type { OcppHandler } from '../context.ts';

export const statusNotification: OcppHandler<'StatusNotification'> = async (ctx, req) => {
  await ctx.ingest.status({
    chargePointId: ctx.chargePointId,
    connectorId: req.connectorId,
    status: req.status,
    errorCode: req.errorCode,
    info: req.info ?? null,
    vendorId: req.vendorId ?? null,
    vendorErrorCode: req.vendorErrorCode ?? null,
    // A charger without a clock may omit the timestamp: the time we heard it is the best we have.
    statusAt: req.timestamp ? new Date(req.timestamp) : ctx.now(),
  });
  return {};
};
