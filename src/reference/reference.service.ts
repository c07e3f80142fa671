import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import * as locationRepository from '../locations/location.repository.ts';
import * as referenceRepository from './reference.repository.ts';

export type ReferenceItem = referenceRepository.ReferenceItem;

/** The filter lists a map app offers (GET /ocpi/cpo/2.2/filters), each ordered by id. */
export interface Filters {
  connectorTypes: ReferenceItem[];
  facilities: ReferenceItem[];
  capabilities: ReferenceItem[];
  paymentTypes: ReferenceItem[];
  parkingTypes: ReferenceItem[];
  parkingRestrictions: ReferenceItem[];
}

export async function filters(db: Db): Promise<Filters> {
  return {
    connectorTypes: await referenceRepository.list(db, 'connectorType'),
    facilities: await referenceRepository.list(db, 'facility'),
    capabilities: await referenceRepository.list(db, 'capability'),
    paymentTypes: await referenceRepository.list(db, 'paymentType'),
    parkingTypes: await referenceRepository.list(db, 'parkingType'),
    parkingRestrictions: await referenceRepository.list(db, 'parkingRestriction'),
  };
}

export const PROVINCE_MAX_LENGTH = 100;

/**
 * Cities with published locations in a province: matched case-insensitively (surrounding spaces
 * ignored), one entry per city whatever its case in the data, sorted. Unknown province → [].
 * Only published locations count, so a filter never offers a city where the map shows nothing.
 */
export async function citiesOfProvince(db: Db, province: string): Promise<string[]> {
  const name = province.trim();
  if (!name) throw new AppError('VALIDATION_FAILED', 'province_name must not be empty');
  if (name.length > PROVINCE_MAX_LENGTH) throw new AppError('VALIDATION_FAILED', `province_name must be at most ${PROVINCE_MAX_LENGTH} characters`);
  return locationRepository.citiesInProvince(db, name);
}
