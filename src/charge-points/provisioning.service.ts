import type { Database } from '../db/database.ts';
import type { ChargePointRow, ConnectorTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from '../locations/location.repository.ts';
import * as chargePointService from './charge-point.service.ts';

export type ConnectorInput = Pick<
  ConnectorTable,
  'connectorId' | 'standard' | 'format' | 'powerType' | 'maxVoltage' | 'maxAmperage' | 'maxElectricPower'
>;

export interface ProvisionInput {
  id: string;
  password: string | null;
  /** Connector specs; with them the charger gets its EVSE record (evse.uid = id). */
  connectors: ConnectorInput[];
  locationId: number | null;
  evseId: string | null;
}

/**
 * An operator provisions a charger without the CPO webhook: its OCPP identity and credentials, and
 * (when connectors are given) its EVSE and connectors, at a location or not yet placed. All or nothing.
 */
export async function provision(db: Database, input: ProvisionInput): Promise<ChargePointRow> {
  const ids = input.connectors.map((c) => c.connectorId);
  if (new Set(ids).size !== ids.length) throw new AppError('VALIDATION_FAILED', 'connector ids must be unique');
  return db.transaction().execute(async (tx) => {
    if (input.locationId !== null && !(await locationRepository.findLocation(tx, input.locationId))) {
      throw new AppError('NOT_FOUND', `location ${input.locationId} does not exist`);
    }
    const chargePoint = await chargePointService.register(tx, { id: input.id, password: input.password });
    if (input.connectors.length > 0) {
      if (await locationRepository.findEvseByUid(tx, input.id)) {
        throw new AppError('CONFLICT', `an EVSE with uid ${input.id} already exists`);
      }
      const evse = await locationRepository.insertEvse(tx, {
        uid: input.id,
        evseId: input.evseId,
        locationId: input.locationId,
        serialNumber: null,
        meterType: null,
        kwh: null,
      });
      await locationRepository.insertConnectors(tx, input.connectors.map((c) => ({ ...c, evseId: evse.id })));
    }
    return chargePoint;
  });
}
