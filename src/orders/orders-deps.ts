import type { Middleware } from 'koa';
import type { ClientTokenOptions } from '../api-clients/api-client-token.ts';
import type { OrderDeps } from '../charging-orders/order-deps.ts';
import type { Database } from '../db/database.ts';
import type { OpenAPIRegistry } from '../http/openapi.ts';
import type { Logger } from '../logger.ts';

/** What the driver order API's routes are built from. */
export interface OrdersRouteDeps {
  db: Database;
  registry: OpenAPIRegistry;
  log: Logger;
  orders: OrderDeps;
  tokens: ClientTokenOptions;
  /** Bearer client token and, for every endpoint but search, X-Transaction-Id + X-Bpp-Id. */
  guard: Middleware;
  searchGuard: Middleware;
}
