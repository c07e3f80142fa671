import type Router from '@koa/router';
import * as orderService from '../charging-orders/order.service.ts';
import { AppError } from '../errors.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { errorResponses } from './order-responses.ts';
import type { OrdersRouteDeps } from './orders-deps.ts';

/**
 * POST /v1/payments/webhook — the payment gateway tells us a payment succeeded or failed. Not a
 * client route: the HMAC signature over the raw body is the authentication (docs/payments.md).
 */
export function paymentWebhookRoutes(router: Router, deps: OrdersRouteDeps): void {
  defineRoute(router, deps.registry, {
    method: 'post', path: '/payments/webhook', summary: "The payment gateway's signed webhook", tags: ['Driver orders: payments'],
    responses: { 200: { description: 'Applied (or already applied)', schema: z.object({ received: z.literal(true) }) }, ...errorResponses(400, 401, 503) },
  }, async (ctx) => {
    const raw = (ctx.request as { rawBody?: string }).rawBody;
    if (typeof raw !== 'string' || raw.length === 0) throw new AppError('VALIDATION_FAILED', 'a JSON body is required');
    await orderService.applyPaymentWebhook(deps.db, deps.orders, deps.log, ctx.req.headers, raw);
    ctx.body = { received: true };
  });
}
