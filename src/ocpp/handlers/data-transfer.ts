import * as dataTransferService from '../../charge-points/data-transfer.service.ts';
import type { OcppHandler } from '../context.ts';
import type { DataTransferConf } from '../messages.ts';

export const dataTransfer: OcppHandler<'DataTransfer'> = async (ctx, req) => {
  const vendor = ctx.vendors.get(req.vendorId);
  const reply: DataTransferConf = vendor
    ? await vendor({ chargePointId: ctx.chargePointId, messageId: req.messageId, data: req.data })
    : { status: 'UnknownVendorId' };
  await dataTransferService.recordIncoming(ctx.db, {
    chargePointId: ctx.chargePointId,
    vendorId: req.vendorId,
    messageId: req.messageId ?? null,
    data: req.data ?? null,
    status: reply.status,
    responseData: reply.data ?? null,
  });
  return reply;
};
