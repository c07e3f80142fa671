import * as transactionService from '../../transactions/transaction.service.ts';
import type { OcppHandler } from '../context.ts';
import { toIdTagInfo } from '../id-tag-info.ts';
import { toReportedReadings } from '../meter-samples.ts';

export const stopTransaction: OcppHandler<'StopTransaction'> = async (ctx, req) => {
  const result = await transactionService.stop(
    ctx.db,
    {
      chargePointId: ctx.chargePointId,
      transactionId: req.transactionId,
      meterStop: req.meterStop,
      timestamp: new Date(req.timestamp),
      idTag: req.idTag ?? null,
      // OCPP 1.6: an omitted reason means Local.
      reason: req.reason ?? 'Local',
      transactionData: toReportedReadings(req.transactionData ?? []),
      raw: req,
    },
    ctx.now(),
  );
  const level = result.outcome === 'stopped' || result.outcome === 'resent' ? 'info' : 'warn';
  ctx.log[level]({ transactionId: req.transactionId, outcome: result.outcome }, 'transaction stop');
  return result.idTag ? { idTagInfo: toIdTagInfo(result.idTag) } : {};
};
