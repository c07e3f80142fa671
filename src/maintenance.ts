import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import * as authService from './auth/auth.service.ts';
import * as reservationService from './reservations/reservation.service.ts';
import * as orderCancelService from './charging-orders/order-cancel.service.ts';
import * as orderPaymentService from './charging-orders/order-payment.service.ts';
import type { PaymentProvider } from './payments/payment-provider.ts';

export interface Maintenance {
  close(): Promise<void>;
}

/**
 * Periodic housekeeping that is safe to run on every node at once (idempotent updates): reservations
 * past their expiry are released; stale login failures and dead sessions are deleted; orders whose
 * window ended without a session are cancelled; refunds owed to drivers that could not be asked for
 * at the time are asked for again.
 */
export function startMaintenance(deps: {
  db: Database;
  intervalMs: number;
  loginFailureWindowS: number;
  log: Logger;
  payments?: PaymentProvider | undefined;
  now?: () => Date;
}): Maintenance {
  const log = deps.log.child({ component: 'maintenance' });
  let running: Promise<void> | undefined;
  const tick = async () => {
    const now = deps.now?.() ?? new Date();
    const expired = await reservationService.expireDue(deps.db, now);
    if (expired) log.info({ expired }, 'reservations expired');
    const purged = await authService.purgeExpired(deps.db, now, deps.loginFailureWindowS);
    if (purged.failures || purged.sessions) log.info(purged, 'expired login failures and sessions purged');
    const noShows = await orderCancelService.expireOverdue(deps.db, { payments: deps.payments, now: () => now }, log);
    if (noShows) log.info({ noShows }, 'orders whose window ended without charging cancelled');
    const refunds = await orderPaymentService.retryRefunds(deps.db, deps.payments, log);
    if (refunds) log.info({ refunds }, 'owed refunds retried');
  };
  const timer = setInterval(() => {
    if (running) return;
    running = tick()
      .catch((err) => log.error({ err }, 'maintenance failed'))
      .finally(() => (running = undefined));
  }, deps.intervalMs).unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
