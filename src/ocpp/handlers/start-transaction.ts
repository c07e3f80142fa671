import * as transactionService from '../../transactions/transaction.service.ts';
import type { OcppHandler } from '../context.ts';
import { toIdTagInfo } from '../id-tag-info.ts';

export const startTransaction: OcppHandler<'StartTransaction'> = async (ctx, req) => {
  const result = await transactionService.start(
    ctx.db,
    {
      chargePointId: ctx.chargePointId,
      connectorId: req.connectorId,
      idTag: req.idTag,
      meterStart: req.meterStart,
      timestamp: new Date(req.timestamp),
      reservationId: req.reservationId ?? null,
    },
    ctx.now(),
  );
  ctx.log.info(
    { transactionId: result.transactionId, connectorId: req.connectorId, idTagStatus: result.idTag.status, resent: !result.created },
    'transaction started',
  );
  return { transactionId: result.transactionId, idTagInfo: toIdTagInfo(result.idTag) };
};
