import type Router from '@koa/router';
import * as orderService from '../charging-orders/order.service.ts';
import { defineRoute } from '../http/route.ts';
import { thousandths } from '../charging-orders/order-units.ts';
import { errorResponses } from './order-responses.ts';
import { estimateJson, orderJson, paymentJson, startJson, stopJson } from './order-json.ts';
import { EstimateBody, OrderIdParam, PaymentBody, StopBody, decimalOf } from './order-schemas.ts';
import { orderClientOf } from './orders-http.ts';
import type { OrdersRouteDeps } from './orders-deps.ts';
import { z } from '../http/openapi.ts';

const Json = z.record(z.string(), z.unknown());
const TAGS = ['Driver orders'];

/** Estimate → payment → start → status → stop (shared/spec/ev-charging-api-contract.md, APIs 2–6). */
export function orderLifecycleRoutes(router: Router, deps: OrdersRouteDeps): void {
  const { db, registry, orders: orderDeps, guard } = deps;

  defineRoute(router, registry, {
    method: 'post', path: '/estimate', guard, summary: 'Price a charging session; records a quoted order', tags: TAGS, security: ['bearerAuth'],
    body: EstimateBody,
    responses: { 200: { description: 'The quoted order', schema: Json }, ...errorResponses(400, 401, 404, 409, 422) },
  }, async (ctx, { body }) => {
    const estimate = await orderService.estimate(db, orderDeps, orderClientOf(ctx), {
      evseId: body.evse_id,
      connectorId: body.connector_id,
      vehicle: body.vehicle,
      timeWindow: body.time_window ? { start: new Date(body.time_window.start), end: new Date(body.time_window.end) } : undefined,
      energyKwh: body.energy ? (body.energy.unit === 'Wh' ? thousandths(body.energy.value) : decimalOf(body.energy.value)) : undefined,
      amount: body.amount ? { value: decimalOf(body.amount.value), currency: body.amount.currency.toUpperCase() } : undefined,
      tariffId: body.offer_id ? Number(body.offer_id.slice('offer-'.length)) : undefined,
    });
    ctx.body = estimateJson(estimate);
  });

  defineRoute(router, registry, {
    method: 'post', path: '/orders/:order_id/payment', guard, summary: 'Initiate (or fetch) the payment of a quoted order', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam, body: PaymentBody,
    responses: { 200: { description: 'Where and how much to pay', schema: Json }, ...errorResponses(400, 401, 404, 409, 422) },
  }, async (ctx, { params, body }) => {
    const view = await orderService.initiatePayment(db, orderDeps, orderClientOf(ctx), params.order_id, { method: body.payment_method });
    ctx.body = paymentJson(view);
  });

  defineRoute(router, registry, {
    method: 'get', path: '/orders/:order_id', guard, summary: 'Order status with live charging telemetry', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam,
    responses: { 200: { description: 'The order', schema: Json }, ...errorResponses(400, 401, 404) },
  }, async (ctx, { params }) => {
    ctx.body = orderJson(await orderService.get(db, orderDeps, orderClientOf(ctx), params.order_id));
  });

  defineRoute(router, registry, {
    method: 'put', path: '/orders/:order_id/start', guard, summary: 'Start charging a paid order (RemoteStartTransaction)', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam,
    responses: { 200: { description: 'Started (charging ACTIVE once the charger confirms)', schema: Json }, ...errorResponses(400, 401, 404, 409) },
  }, async (ctx, { params }) => {
    ctx.body = startJson(await orderService.start(db, orderDeps, orderClientOf(ctx), params.order_id));
  });

  defineRoute(router, registry, {
    method: 'put', path: '/orders/:order_id/stop', guard, summary: 'Stop charging (RemoteStopTransaction); the final bill', tags: TAGS,
    security: ['bearerAuth'], params: OrderIdParam, body: StopBody,
    responses: { 200: { description: 'Completed with its final price components', schema: Json }, ...errorResponses(400, 401, 404, 409, 422) },
  }, async (ctx, { params, body }) => {
    const order = await orderService.stop(db, orderDeps, orderClientOf(ctx), params.order_id, { reasonCode: body.reason_code, message: body.message });
    if (order.status === 'completed') await orderService.refundDue(db, orderDeps.payments, deps.log, order.id);
    ctx.body = stopJson(order, orderService.priceComponentsOf(order));
  });
}
