import type { OcppHandler } from '../context.ts';

export const bootNotification: OcppHandler<'BootNotification'> = async (ctx, req) => {
  const now = ctx.now();
  const status = await ctx.bookkeeping.recordBoot({
    id: ctx.chargePointId,
    at: now,
    boot: {
      vendor: req.chargePointVendor,
      model: req.chargePointModel,
      chargePointSerialNumber: req.chargePointSerialNumber ?? null,
      chargeBoxSerialNumber: req.chargeBoxSerialNumber ?? null,
      firmwareVersion: req.firmwareVersion ?? null,
      iccid: req.iccid ?? null,
      imsi: req.imsi ?? null,
      meterType: req.meterType ?? null,
      meterSerialNumber: req.meterSerialNumber ?? null,
    },
  });
  if (status !== 'Accepted') ctx.log.info({ status }, 'boot not accepted');
  // Accepted: the heartbeat interval. Pending/Rejected: when to send the next BootNotification.
  const interval = status === 'Accepted' ? ctx.ocpp.heartbeatIntervalS : ctx.ocpp.bootRetryIntervalS;
  return { status, currentTime: now.toISOString(), interval };
};
