import type { ConnectionBookkeeping } from '../charge-points/connection-bookkeeping.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Ingest } from '../ingest/ingest.ts';
import type { Logger } from '../logger.ts';
import type { ChargePointAction, ChargePointActions } from './messages.ts';
import type { DataTransferVendors } from './data-transfer-vendors.ts';

/** What a handler gets for one call from one charger. */
export interface OcppContext {
  db: Database;
  ingest: Ingest;
  /** Connection and boot writes, grouped across chargers. */
  bookkeeping: ConnectionBookkeeping;
  ocpp: Config['ocpp'];
  vendors: DataTransferVendors;
  chargePointId: string;
  log: Logger;
  now: () => Date;
}

export type OcppHandler<A extends ChargePointAction> = (
  ctx: OcppContext,
  request: ChargePointActions[A][0],
) => Promise<ChargePointActions[A][1]>;

export type OcppHandlers = { [A in ChargePointAction]: OcppHandler<A> };
