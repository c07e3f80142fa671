import type Router from '@koa/router';
import { ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import * as transactionService from '../transactions/transaction.service.ts';
import { booleanQuery, errorResponses, Page, SECURITY, type OperatorDeps } from './operator-router.ts';
import * as json from './serializers.ts';

export function transactionRoutes(router: Router, deps: OperatorDeps): void {
  const { db, registry } = deps;

  defineRoute(router, registry, {
    method: 'get', path: '/transactions', summary: 'Transactions, filtered', tags: ['Operator: transactions'], security: SECURITY,
    query: Page.extend({
      charge_point_id: z.string().max(48).optional(),
      id_tag: z.string().max(20).optional(),
      from: z.coerce.date().optional(),
      to: z.coerce.date().optional(),
      active: booleanQuery.optional(),
    }),
    responses: { 200: { description: 'Newest first' }, ...errorResponses },
  }, async (ctx, { query }) => {
    const rows = await transactionService.list(db, {
      chargePointId: query.charge_point_id,
      idTag: query.id_tag,
      from: query.from,
      to: query.to,
      active: query.active,
      limit: query.limit,
      offset: query.offset,
    });
    ok(ctx, rows.map(json.transactionJson));
  });

  defineRoute(router, registry, {
    method: 'get', path: '/transactions/:id', summary: 'One transaction with its meter values', tags: ['Operator: transactions'], security: SECURITY,
    params: z.object({ id: z.coerce.number().int().positive() }),
    responses: { 200: { description: 'The transaction' }, ...errorResponses },
  }, async (ctx, { params }) => {
    const tx = await transactionService.getOrThrow(db, params.id);
    const [meterValues, readings] = await Promise.all([transactionService.listMeterValues(db, tx.id), transactionService.liveReadings(db, tx.id)]);
    ok(ctx, { ...json.transactionJson(tx), readings: json.readingsJson(readings), meter_values: meterValues.map(json.meterValueJson) });
  });
}
