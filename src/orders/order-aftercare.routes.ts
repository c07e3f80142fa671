import type Router from '@koa/router';
import * as orderService from '../charging-orders/order.service.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { cancellationJson, cancellationQuoteJson, orderRef } from './order-json.ts';
import { errorResponses } from './order-responses.ts';
import { CancelBody, CancelQuery, OrderIdParam, RatingBody } from './order-schemas.ts';
import { orderClientOf } from './orders-http.ts';
import type { OrdersRouteDeps } from './orders-deps.ts';

const Json = z.record(z.string(), z.unknown());
const TAGS = ['Driver orders'];

/** Cancel (estimate and confirm), rating and support (shared/spec/ev-charging-api-contract.md, APIs 7–10). */
export function orderAftercareRoutes(router: Router, deps: OrdersRouteDeps): void {
  const { db, registry, orders: orderDeps, guard, log } = deps;

  defineRoute(router, registry, {
    method: 'get', path: '/orders/:order_id/cancel', guard, summary: 'What cancelling would cost now (nothing is changed)', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam, query: CancelQuery,
    responses: { 200: { description: 'Amount paid and cancellation fee', schema: Json }, ...errorResponses(400, 401, 404, 409) },
  }, async (ctx, { params }) => {
    ctx.body = cancellationQuoteJson(await orderService.cancellationQuote(db, orderClientOf(ctx), params.order_id));
  });

  defineRoute(router, registry, {
    method: 'post', path: '/orders/:order_id/cancel', guard, summary: 'Cancel the order; the paid amount less the fee is refunded', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam, body: CancelBody,
    responses: { 200: { description: 'Cancelled, with fee and refund', schema: Json }, ...errorResponses(400, 401, 404, 409) },
  }, async (ctx, { params, body }) => {
    const result = await orderService.cancel(db, orderDeps, log, orderClientOf(ctx), params.order_id, {
      reason: body.cancel_reason,
      code: body.cancel_code,
    });
    ctx.body = cancellationJson(result);
  });

  defineRoute(router, registry, {
    method: 'post', path: '/orders/:order_id/rating', guard, summary: 'Rate a completed order (once)', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam, body: RatingBody,
    responses: { 200: { description: 'Recorded', schema: Json }, ...errorResponses(400, 401, 404, 409, 422) },
  }, async (ctx, { params, body }) => {
    const { order, submissionId } = await orderService.rate(db, orderClientOf(ctx), params.order_id, {
      value: body.value,
      comments: body.feedback?.comments,
      tags: body.feedback?.tags,
    });
    ctx.body = { order: orderRef(order), feedbackForm: { submission_id: submissionId } };
  });

  defineRoute(router, registry, {
    method: 'get', path: '/orders/:order_id/support', guard, summary: 'Who to contact about this order', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam,
    responses: { 200: { description: "The CPO's support details (the platform's when it has none)", schema: Json }, ...errorResponses(400, 401, 404) },
  }, async (ctx, { params }) => {
    const { order, support } = await orderService.support(db, orderDeps, orderClientOf(ctx), params.order_id);
    ctx.body = {
      order: orderRef(order),
      name: support.name,
      phone: support.phone,
      email: support.email,
      ...(support.url ? { url: support.url } : {}),
      hours: support.hours,
      channels: support.channels,
    };
  });
}
