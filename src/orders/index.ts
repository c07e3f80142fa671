import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { ClientTokenOptions } from '../api-clients/api-client-token.ts';
import type { OrderDeps } from '../charging-orders/order-deps.ts';
import type { Database } from '../db/database.ts';
import type { OpenAPIRegistry } from '../http/openapi.ts';
import type { Logger } from '../logger.ts';
import { orderAftercareRoutes } from './order-aftercare.routes.ts';
import { orderLifecycleRoutes } from './order.routes.ts';
import { ordersConventions, requireClientToken, requireOrderHeaders } from './orders-http.ts';
import { paymentWebhookRoutes } from './payment-webhook.routes.ts';
import { searchRoutes } from './search.routes.ts';
import { tokenRoutes } from './token.routes.ts';

export { echoTransactionId, ordersErrorEnvelope } from './orders-http.ts';

/** Middlewares run one after the other, as one guard. */
function all(...middlewares: Middleware[]): Middleware {
  return (ctx, next) => {
    const run = (i: number): Promise<void> => (i === middlewares.length ? next() : Promise.resolve(middlewares[i]!(ctx, () => run(i + 1))));
    return run(0);
  };
}

/** The driver order API under /v1 (shared/spec/ev-charging-api-contract.md). */
export function ordersRoutes(deps: { db: Database; registry: OpenAPIRegistry; log: Logger; orders: OrderDeps; tokens: ClientTokenOptions }): Router {
  const router = new Router({ prefix: '/v1' });
  router.use(ordersConventions());
  const token = requireClientToken(deps.db, deps.tokens);
  const routeDeps = {
    ...deps,
    log: deps.log.child({ component: 'orders' }),
    searchGuard: token,
    guard: all(token, requireOrderHeaders(deps.orders.orders.bppId)),
  };
  tokenRoutes(router, routeDeps);
  paymentWebhookRoutes(router, routeDeps);
  searchRoutes(router, routeDeps);
  orderLifecycleRoutes(router, routeDeps);
  orderAftercareRoutes(router, routeDeps);
  return router;
}
