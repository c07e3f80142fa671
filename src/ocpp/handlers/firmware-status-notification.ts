import * as chargePointService from '../../charge-points/charge-point.service.ts';
import type { OcppHandler } from '../context.ts';

export const firmwareStatusNotification: OcppHandler<'FirmwareStatusNotification'> = async (ctx, req) => {
  await chargePointService.recordFirmwareStatus(ctx.db, ctx.chargePointId, req.status, ctx.now());
  return {};
};
