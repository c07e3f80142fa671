import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import * as reservationService from './reservations/reservation.service.ts';

export interface Maintenance {
  close(): Promise<void>;
}

/**
 * Periodic housekeeping that is safe to run on every node at once (idempotent updates): reservations
 * past their expiry are released.
 */
export function startMaintenance(deps: { db: Database; intervalMs: number; log: Logger; now?: () => Date }): Maintenance {
  const log = deps.log.child({ component: 'maintenance' });
  let running: Promise<void> | undefined;
  const tick = async () => {
    const expired = await reservationService.expireDue(deps.db, deps.now?.() ?? new Date());
    if (expired) log.info({ expired }, 'reservations expired');
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
