import type Router from '@koa/router';
import { chargerCommandRoutes } from './charger-commands.routes.ts';
import { chargerRoutes } from './chargers.routes.ts';
import { chargingProfileRoutes } from './charging-profiles.routes.ts';
import { idTagRoutes } from './id-tags.routes.ts';
import { operatorRouter, type OperatorDeps } from './operator-router.ts';
import { outboxRoutes } from './outbox.routes.ts';
import { transactionRoutes } from './transactions.routes.ts';

export type { OperatorDeps };

/** The operator API under /api/v1 (ADMIN or OPERATOR bearer token). */
export function operatorRoutes(deps: OperatorDeps): Router {
  const router = operatorRouter(deps);
  chargerRoutes(router, deps);
  chargerCommandRoutes(router, deps);
  transactionRoutes(router, deps);
  chargingProfileRoutes(router, deps);
  idTagRoutes(router, deps);
  outboxRoutes(router, deps);
  return router;
}
