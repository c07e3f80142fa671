import type Router from '@koa/router';
import type { OrderDeps } from '../charging-orders/order-deps.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { OpenAPIRegistry } from '../http/openapi.ts';
import type { Logger } from '../logger.ts';
import { buildAnswer, notifyChanges } from './beckn-callbacks.ts';
import { becknRoutes } from './beckn.routes.ts';
import { loadSigningKey, type BppSigningKey } from './bpp-keys.ts';
import { startCallbackDispatcher } from './callback-dispatcher.ts';
import { createRegistry } from './registry.ts';
import { signRequest } from './signature.ts';

export { becknErrorEnvelope } from './beckn-errors.ts';

export interface Beckn {
  router: Router;
  /** The key our callbacks are signed with (its public half is what BAPs register). */
  signingKey: BppSigningKey;
  close(): Promise<void>;
}

/** The Beckn BPP adapter: routes, signing key, registry, and the callback dispatcher that outlives requests. */
export async function createBeckn(deps: { db: Database; config: Config; registry: OpenAPIRegistry; orders: OrderDeps; log: Logger }): Promise<Beckn> {
  const { db, config } = deps;
  const beckn = config.beckn;
  const log = deps.log.child({ component: 'beckn' });
  const signingKey = await loadSigningKey(db, beckn);
  const respondDeps = { db, orders: deps.orders, log, bppId: beckn.subscriberId, bppUri: beckn.subscriberUrl };
  const dispatcher = startCallbackDispatcher({
    db,
    log,
    buildBody: (callback) => buildAnswer(respondDeps, callback),
    sign: (body) =>
      beckn.signing
        ? signRequest({ body, subscriberId: signingKey.subscriberId, keyId: signingKey.keyId, privateKey: signingKey.privateKey })
        : undefined,
    beforeDelivery: async () => {
      await notifyChanges(respondDeps);
    },
    intervalMs: beckn.dispatchIntervalMs,
    maxAttempts: beckn.callbackMaxAttempts,
    retryMs: beckn.callbackRetryMs,
    now: deps.orders.now,
  });
  const router = becknRoutes({
    db,
    registry: deps.registry,
    keys: createRegistry({ db, ...(beckn.registryUrl ? { registryUrl: beckn.registryUrl } : {}) }),
    bppId: beckn.subscriberId,
    domains: beckn.domains,
    signing: beckn.signing,
    acknowledged: () => dispatcher.kick(),
    now: deps.orders.now,
  });
  if (!beckn.signing) log.warn('BECKN_SIGNING=off: requests are not verified and callbacks are not signed (development only)');
  return { router, signingKey, close: () => dispatcher.close() };
}
