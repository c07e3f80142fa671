import * as chargePointService from '../../charge-points/charge-point.service.ts';
import type { OcppHandler } from '../context.ts';

export const diagnosticsStatusNotification: OcppHandler<'DiagnosticsStatusNotification'> = async (ctx, req) => {
  await chargePointService.recordDiagnosticsStatus(ctx.db, ctx.chargePointId, req.status, ctx.now());
  return {};
};
