import type { Db } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { ReferenceCodeSets } from './csv-import.ts';
import type { EvseInput, LocationInput } from './location-input.ts';
import * as locationRepository from './location.repository.ts';
import type { ReferenceKind } from './location.repository.ts';

// The reference codes (facilities, capabilities, connector types…) a location may use, checked all at once.

export type References = Record<ReferenceKind, Map<string, number>>;

export async function loadReferences(db: Db): Promise<References> {
  const refs: References = {
    connectorType: new Map(), facility: new Map(), capability: new Map(), paymentType: new Map(), parkingType: new Map(), parkingRestriction: new Map(),
  };
  for (const row of await locationRepository.listReferenceCodes(db)) refs[row.kind].set(row.code.toUpperCase(), row.id);
  return refs;
}

export function referenceSets(refs: References): ReferenceCodeSets {
  const set = (kind: ReferenceKind) => new Set(refs[kind].keys());
  return {
    connectorType: set('connectorType'), facility: set('facility'), capability: set('capability'),
    paymentType: set('paymentType'), parkingType: set('parkingType'), parkingRestriction: set('parkingRestriction'),
  };
}

export interface CodeUse {
  path: string;
  kind: ReferenceKind;
  code: string;
}

export function locationCodes(l: LocationInput, path: string): CodeUse[] {
  return [
    ...l.facilities.map((code) => ({ path: `${path}.facilities`, kind: 'facility' as const, code })),
    ...l.parkingTypes.map((code) => ({ path: `${path}.parking_types`, kind: 'parkingType' as const, code })),
    ...l.parkingRestrictions.map((code) => ({ path: `${path}.parking_restrictions`, kind: 'parkingRestriction' as const, code })),
  ];
}

export function evseCodes(e: EvseInput, path: string): CodeUse[] {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  return [
    ...e.capabilities.map((code) => ({ path: at('capabilities'), kind: 'capability' as const, code })),
    ...e.paymentTypes.map((code) => ({ path: at('payment_types'), kind: 'paymentType' as const, code })),
    ...e.connectors.flatMap((c, i) => [
      { path: at(`connectors[${i}].standard`), kind: 'connectorType' as const, code: c.standard },
      ...(c.connectorType ? [{ path: at(`connectors[${i}].connector_type`), kind: 'connectorType' as const, code: c.connectorType }] : []),
    ]),
  ];
}

const KIND_LABEL: Record<ReferenceKind, string> = {
  connectorType: 'connector type', facility: 'facility', capability: 'capability',
  paymentType: 'payment type', parkingType: 'parking type', parkingRestriction: 'parking restriction',
};

export function assertKnownCodes(uses: readonly CodeUse[], refs: References): void {
  const unknown = uses.filter((u) => !refs[u.kind].has(u.code));
  if (unknown.length === 0) return;
  const details = unknown.map((u) => ({
    path: u.path,
    code: u.code,
    message: `unknown ${KIND_LABEL[u.kind]} code ${u.code}; valid: ${[...refs[u.kind].keys()].join(', ')}`,
  }));
  const first = details[0]!;
  throw new AppError('VALIDATION_FAILED', `${first.path}: ${first.message}`, details);
}
