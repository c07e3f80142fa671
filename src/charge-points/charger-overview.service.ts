import * as chargingProfileService from '../charging-profiles/charging-profile.service.ts';
import type { Database, Db } from '../db/database.ts';
import type { ChargePointRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from '../locations/location.repository.ts';
import * as reservationService from '../reservations/reservation.service.ts';
import * as transactionService from '../transactions/transaction.service.ts';
import * as chargePointRepository from './charge-point.repository.ts';
import * as configurationService from './configuration.service.ts';
import * as connectorStatusRepository from './connector-status.repository.ts';

// Read models for operators: chargers with their connectors' specs and live state.

export type ConnectorSpec = Awaited<ReturnType<typeof locationRepository.connectorsForEvseUids>>[number];
export type ConnectorState = Awaited<ReturnType<typeof connectorStatusRepository.listForChargePoint>>[number];

export interface ChargerSummary {
  chargePoint: ChargePointRow;
  /** Connector 0 (the charger itself) and each connector, as last reported. */
  statuses: ConnectorState[];
  connectors: ConnectorSpec[];
}

/** A page of chargers with connectors, in three queries whatever the page size. */
export async function list(db: Db, filter: chargePointRepository.ChargePointFilter): Promise<ChargerSummary[]> {
  const chargePoints = await chargePointRepository.list(db, filter);
  const ids = chargePoints.map((c) => c.id);
  const [statuses, connectors] = await Promise.all([
    connectorStatusRepository.listForChargePoints(db, ids),
    locationRepository.connectorsForEvseUids(db, ids),
  ]);
  return chargePoints.map((chargePoint) => ({
    chargePoint,
    statuses: statuses.filter((s) => s.chargePointId === chargePoint.id),
    connectors: connectors.filter((c) => c.evseUid === chargePoint.id),
  }));
}

/** Everything an operator looks at for one charger. */
export async function details(db: Database, id: string) {
  const chargePoint = await chargePointRepository.findById(db, id);
  if (!chargePoint) throw new AppError('NOT_FOUND', `charger ${id} is not registered`);
  const [statuses, connectors, history, configuration, active, reservations, profiles] = await Promise.all([
    connectorStatusRepository.listForChargePoint(db, id),
    locationRepository.connectorsForEvseUids(db, [id]),
    connectorStatusRepository.history(db, id, 20),
    configurationService.list(db, id),
    transactionService.findActive(db, id),
    reservationService.list(db, id, 'reserved'),
    chargingProfileService.listInstalled(db, id),
  ]);
  const activeTransactions = await Promise.all(
    active.map(async (transaction) => ({ transaction, readings: await transactionService.liveReadings(db, transaction.id) })),
  );
  return { chargePoint, statuses, connectors, history, configuration, activeTransactions, reservations, profiles };
}
