import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { ChargerCredentials } from '../charge-points/charge-point.service.ts';
import type { Database, Db, Tx } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import { readLocationsCsv, validateLocationsCsv, type CsvRow, type ReferenceCodeSets } from './csv-import.ts';
import type { ConnectorFields, EvseFields, EvseInput, LocationFields, LocationInput } from './location-input.ts';
import * as locationRepository from './location.repository.ts';
import type { ReferenceKind } from './location.repository.ts';

// CPOs add locations, EVSEs and connectors through the webhooks and the CSV import. Everything a
// call brings is written in one transaction or not at all; new locations wait unpublished (pending)
// for review. Each EVSE is one charger: registering it here is what makes the charger known to the
// OCPP server (identity = EVSE uid), with a fresh password mailed to the CPO's contact address.

export interface LocationServiceDeps {
  mailer: Mailer;
  /** Prefixed to /ocpp/{uid} in the credentials mail (e.g. wss://cs.example.com); unset → the path alone. */
  ocppBaseUrl?: string | undefined;
}

export interface CreatedEvse {
  id: number;
  uid: string;
}

export interface CreatedLocations {
  locationIds: number[];
  evses: CreatedEvse[];
}

export interface CsvImportResult {
  rows: number;
  locations: number;
  evses: number;
  connectors: number;
}

/**
 * Creates locations with their EVSEs and connectors, and registers each EVSE's charger.
 * 400 for invalid input (unknown reference codes, repeated uids, bad connector ids), 409 when an
 * EVSE uid is already taken (by an EVSE, or by a charger registered another way).
 */
export async function createLocations(db: Database, cpoOwnerId: number, inputs: readonly LocationInput[], deps: LocationServiceDeps): Promise<CreatedLocations> {
  const evses = inputs.flatMap((l, li) => l.evses.map((e, ei) => ({ evse: e, path: `locations[${li}].evses[${ei}]` })));
  const connectors = evses.map(({ evse, path }) => numberConnectors(evse, path));
  assertUniqueUids(evses.map(({ evse }) => evse.uid));
  const owner = await ownerWithContact(db, cpoOwnerId);
  const refs = await loadReferences(db);
  assertKnownCodes([
    ...inputs.flatMap((l, i) => locationCodes(l, `locations[${i}]`)),
    ...evses.flatMap(({ evse, path }) => evseCodes(evse, path)),
  ], refs);
  const credentials = await credentialsFor(db, evses.map(({ evse }) => evse.uid));

  const created = await inTransaction(db, async (tx) => {
    const ctx: WriteContext = { tx, owner, refs, credentials };
    const locationIds = await writeLocations(ctx, inputs);
    const placed = inputs.flatMap((l, i) => l.evses.map((evse) => ({ locationId: locationIds[i]!, evse })));
    const evseIds = await writeEvses(ctx, placed);
    await writeConnectors(ctx, evses.flatMap(({ evse }, i) => connectors[i]!.map((c) => ({ evseId: evseIds.get(evse.uid)!, connector: c }))));
    const mailId = await queueCredentialsMail(ctx, deps, credentials);
    return { locationIds, evses: evses.map(({ evse }) => ({ id: evseIds.get(evse.uid)!, uid: evse.uid })), mailId };
  });
  await deliver(db, deps, created.mailId);
  return { locationIds: created.locationIds, evses: created.evses };
}

/** Adds one EVSE (and its charger) to a location of this CPO; 404 for a location that is not theirs. */
export async function addEvse(db: Database, cpoOwnerId: number, locationId: number, input: EvseInput, deps: LocationServiceDeps): Promise<CreatedEvse> {
  const connectors = numberConnectors(input, 'connectors');
  const owner = await ownerWithContact(db, cpoOwnerId);
  await assertOwnLocation(db, locationId, cpoOwnerId);
  const refs = await loadReferences(db);
  assertKnownCodes(evseCodes(input, ''), refs);
  const credentials = await credentialsFor(db, [input.uid]);

  const created = await inTransaction(db, async (tx) => {
    await assertOwnLocation(tx, locationId, cpoOwnerId);
    const ctx: WriteContext = { tx, owner, refs, credentials };
    const evseIds = await writeEvses(ctx, [{ locationId, evse: input }]);
    const evseId = evseIds.get(input.uid)!;
    await writeConnectors(ctx, connectors.map((connector) => ({ evseId, connector })));
    const mailId = await queueCredentialsMail(ctx, deps, credentials);
    return { id: evseId, mailId };
  });
  await deliver(db, deps, created.mailId);
  return { id: created.id, uid: input.uid };
}

/** Rows written per batch of the CSV import (a few multi-row INSERTs each). */
const CSV_WRITE_BATCH = 1000;

/**
 * The CSV import (docs/csv-import.md): pass 1 reads the whole file and reports every problem (400,
 * `details.errors` = [{line, column, reason}]) without writing anything; pass 2 reads it again and
 * writes it in one transaction with multi-row inserts. Memory holds a small fixed amount per location
 * and per EVSE (for the checks across rows, the new ids and the credentials), never the file's rows.
 */
export async function importLocationsCsv(db: Database, cpoOwnerId: number, path: string, deps: LocationServiceDeps): Promise<CsvImportResult> {
  const owner = await ownerWithContact(db, cpoOwnerId);
  const refs = await loadReferences(db);
  const validation = await validateLocationsCsv(path, {
    references: referenceSets(refs),
    takenUids: (uids) => locationRepository.findTakenUids(db, uids),
  });
  if (validation.issueCount > 0) {
    const n = validation.invalidLines;
    const omitted = validation.issueCount - validation.issues.length;
    throw new AppError('VALIDATION_FAILED', `CSV has ${n} invalid ${n === 1 ? 'row' : 'rows'}; nothing was imported`, {
      errors: validation.issues,
      ...(omitted > 0 ? { errors_not_listed: omitted } : {}),
    });
  }
  const credentials = await credentialsFor(db, validation.evseUids);

  const created = await inTransaction(db, async (tx) => {
    const ctx: WriteContext = { tx, owner, refs, credentials };
    const locationIds = new Map<string, number>();
    const evseIds = new Map<string, number>();
    let connectors = 0;
    let rows = 0;
    const flush = async (batch: CsvRow[]) => {
      const newLocations = new Map<string, LocationFields>();
      for (const row of batch) if (!locationIds.has(row.locationRef) && !newLocations.has(row.locationRef)) newLocations.set(row.locationRef, row.location);
      const ids = await writeLocations(ctx, [...newLocations.values()]);
      [...newLocations.keys()].forEach((ref, i) => locationIds.set(ref, ids[i]!));

      const newEvses = new Map<string, { locationId: number; evse: EvseFields }>();
      for (const row of batch) {
        if (!evseIds.has(row.evse.uid) && !newEvses.has(row.evse.uid)) newEvses.set(row.evse.uid, { locationId: locationIds.get(row.locationRef)!, evse: row.evse });
      }
      for (const [uid, id] of await writeEvses(ctx, [...newEvses.values()])) evseIds.set(uid, id);

      await writeConnectors(ctx, batch.map((row) => ({ evseId: evseIds.get(row.evse.uid)!, connector: row.connector })));
      connectors += batch.length;
    };
    let batch: CsvRow[] = [];
    for await (const row of readLocationsCsv(path)) {
      rows++;
      batch.push(row);
      if (batch.length >= CSV_WRITE_BATCH) {
        await flush(batch);
        batch = [];
      }
    }
    await flush(batch);
    const mailId = await queueCredentialsMail(ctx, deps, credentials);
    return { rows, locations: locationIds.size, evses: evseIds.size, connectors, mailId };
  });
  await deliver(db, deps, created.mailId);
  return { rows: created.rows, locations: created.locations, evses: created.evses, connectors: created.connectors };
}

// ---- checks ----

async function ownerWithContact(db: Db, cpoOwnerId: number): Promise<CpoOwnerRow> {
  const owner = await locationRepository.findCpoOwner(db, cpoOwnerId);
  if (!owner) throw new AppError('NOT_FOUND', `CPO owner ${cpoOwnerId} does not exist`);
  // The chargers' passwords go to this address only; without it they would be unusable.
  if (!owner.contactEmail) {
    throw new AppError('CONFLICT', 'the CPO account has no contact e-mail address to send the chargers\' OCPP passwords to');
  }
  return owner;
}

async function assertOwnLocation(db: Db, locationId: number, cpoOwnerId: number): Promise<void> {
  // Another CPO's location is "not found" too: its existence is none of this caller's business.
  if (!(await locationRepository.findLocationOfOwner(db, locationId, cpoOwnerId))) {
    throw new AppError('NOT_FOUND', `location ${locationId} not found`);
  }
}

/** OCPP connector ids 1..n: given ones must be exactly that, missing ones are their position in the list. */
function numberConnectors(evse: EvseInput, path: string): Array<ConnectorFields & { connectorId: number }> {
  const numbered = evse.connectors.map((c, i) => ({ ...c, connectorId: c.connectorId ?? i + 1 }));
  const ids = numbered.map((c) => c.connectorId).sort((a, b) => a - b);
  if (ids.some((id, i) => id !== i + 1)) {
    throw new AppError('VALIDATION_FAILED', `${path}.connectors: connector ids of EVSE ${evse.uid} must be 1 to ${ids.length} without repeats (got ${ids.join(', ')})`, [
      { path: `${path}.connectors`, message: 'connector ids must be 1..n' },
    ]);
  }
  return numbered;
}

function assertUniqueUids(uids: readonly string[]): void {
  const seen = new Set<string>();
  for (const uid of uids) {
    if (seen.has(uid)) throw new AppError('VALIDATION_FAILED', `EVSE uid ${uid} appears more than once in the request`, [{ path: 'uid', uid, message: 'repeated' }]);
    seen.add(uid);
  }
}

type References = Record<ReferenceKind, Map<string, number>>;

async function loadReferences(db: Db): Promise<References> {
  const refs: References = {
    connectorType: new Map(), facility: new Map(), capability: new Map(), paymentType: new Map(), parkingType: new Map(), parkingRestriction: new Map(),
  };
  for (const row of await locationRepository.listReferenceCodes(db)) refs[row.kind].set(row.code.toUpperCase(), row.id);
  return refs;
}

function referenceSets(refs: References): ReferenceCodeSets {
  const set = (kind: ReferenceKind) => new Set(refs[kind].keys());
  return {
    connectorType: set('connectorType'), facility: set('facility'), capability: set('capability'),
    paymentType: set('paymentType'), parkingType: set('parkingType'), parkingRestriction: set('parkingRestriction'),
  };
}

interface CodeUse {
  path: string;
  kind: ReferenceKind;
  code: string;
}

function locationCodes(l: LocationInput, path: string): CodeUse[] {
  return [
    ...l.facilities.map((code) => ({ path: `${path}.facilities`, kind: 'facility' as const, code })),
    ...l.parkingTypes.map((code) => ({ path: `${path}.parking_types`, kind: 'parkingType' as const, code })),
    ...l.parkingRestrictions.map((code) => ({ path: `${path}.parking_restrictions`, kind: 'parkingRestriction' as const, code })),
  ];
}

function evseCodes(e: EvseInput, path: string): CodeUse[] {
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

function assertKnownCodes(uses: readonly CodeUse[], refs: References): void {
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

/** Refuses taken uids before the slow part (hashing passwords), then makes each charger's credentials. */
async function credentialsFor(db: Db, uids: readonly string[]): Promise<Map<string, ChargerCredentials>> {
  const taken = await takenUids(db, uids);
  if (taken.length > 0) {
    throw new AppError('CONFLICT', `EVSE uid ${taken[0]} is already registered (as an EVSE or as an OCPP charger)`, { uids: taken });
  }
  const credentials = await chargePointService.generateCredentials(uids);
  return new Map(credentials.map((c) => [c.id, c]));
}

async function takenUids(db: Db, uids: readonly string[]): Promise<string[]> {
  const taken: string[] = [];
  for (let i = 0; i < uids.length; i += 1000) taken.push(...(await locationRepository.findTakenUids(db, uids.slice(i, i + 1000))));
  return taken;
}

// ---- writing ----

interface WriteContext {
  tx: Tx;
  owner: CpoOwnerRow;
  refs: References;
  credentials: ReadonlyMap<string, ChargerCredentials>;
}

async function inTransaction<T>(db: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (err) {
    // Both checked beforehand; only a concurrent registration of the same uid gets here.
    if ((err as { code?: unknown }).code === '23505') {
      throw new AppError('CONFLICT', 'an EVSE uid of this request was registered by another request meanwhile; nothing was written');
    }
    throw err;
  }
}

async function writeLocations(ctx: WriteContext, locations: readonly LocationFields[]): Promise<number[]> {
  const ids = await locationRepository.allocateLocationIds(ctx.tx, locations.length);
  await locationRepository.insertLocations(ctx.tx, locations.map((l, i) => ({
    id: ids[i]!,
    cpoOwnerId: ctx.owner.id,
    name: l.name,
    address: l.address,
    addressLat: l.lat,
    addressLng: l.lng,
    city: l.city,
    province: l.province,
    region: l.region,
    postalCode: l.postalCode,
    countryCode: l.countryCode ?? ctx.owner.countryCode.toUpperCase(),
    publish: false, // pending until reviewed
  })));
  const link = <K extends string>(key: K, kind: ReferenceKind, codes: (l: LocationFields) => string[]) =>
    locations.flatMap((l, i) => codes(l).map((code) => ({ locationId: ids[i]!, [key]: ctx.refs[kind].get(code)! }) as { locationId: number } & Record<K, number>));
  await locationRepository.insertLocationLinks(ctx.tx, {
    facilities: link('facilityId', 'facility', (l) => l.facilities),
    parkingTypes: link('parkingTypeId', 'parkingType', (l) => l.parkingTypes),
    parkingRestrictions: link('parkingRestrictionId', 'parkingRestriction', (l) => l.parkingRestrictions),
  });
  return ids;
}

/** EVSEs, their links and their chargers; returns uid → evse.id. */
async function writeEvses(ctx: WriteContext, evses: ReadonlyArray<{ locationId: number; evse: EvseFields }>): Promise<Map<string, number>> {
  if (evses.length === 0) return new Map();
  const inserted = await locationRepository.insertEvses(ctx.tx, evses.map(({ locationId, evse }) => ({
    uid: evse.uid,
    evseId: evse.evseId,
    locationId,
    serialNumber: evse.serialNumber,
    meterType: evse.meterType,
    kwh: evse.kwh,
    status: evse.status,
  })));
  const ids = new Map(inserted.map((r) => [r.uid, r.id]));
  await locationRepository.insertEvseLinks(ctx.tx, {
    capabilities: evses.flatMap(({ evse }) => evse.capabilities.map((code) => ({ evseId: ids.get(evse.uid)!, capabilityId: ctx.refs.capability.get(code)! }))),
    paymentTypes: evses.flatMap(({ evse }) => evse.paymentTypes.map((code) => ({ evseId: ids.get(evse.uid)!, paymentTypeId: ctx.refs.paymentType.get(code)! }))),
  });
  await chargePointService.registerMany(ctx.tx, evses.map(({ evse }) => {
    const credentials = ctx.credentials.get(evse.uid);
    if (!credentials) throw new Error(`no credentials prepared for EVSE ${evse.uid}`);
    return { id: evse.uid, passwordHash: credentials.passwordHash };
  }));
  return ids;
}

async function writeConnectors(ctx: WriteContext, connectors: ReadonlyArray<{ evseId: number; connector: ConnectorFields & { connectorId: number } }>): Promise<void> {
  await locationRepository.insertConnectorRows(ctx.tx, connectors.map(({ evseId, connector: c }) => ({
    evseId,
    connectorId: c.connectorId,
    standard: c.standard,
    format: c.format,
    powerType: c.powerType,
    maxVoltage: c.maxVoltage,
    maxAmperage: c.maxAmperage,
    maxElectricPower: c.maxElectricPower,
    connectorType: c.connectorType ?? c.standard,
    rateSetting: c.rateSetting,
  })));
}

// ---- the credentials mail ----

async function queueCredentialsMail(ctx: WriteContext, deps: LocationServiceDeps, credentials: ReadonlyMap<string, ChargerCredentials>): Promise<number | undefined> {
  if (credentials.size === 0) return undefined;
  return deps.mailer.queue(ctx.tx, credentialsMail(ctx.owner, [...credentials.values()], deps.ocppBaseUrl));
}

async function deliver(db: Database, deps: LocationServiceDeps, mailId: number | undefined): Promise<void> {
  if (mailId !== undefined) await deps.mailer.deliver(db, [mailId]);
}

export function credentialsMail(owner: CpoOwnerRow, credentials: readonly ChargerCredentials[], ocppBaseUrl?: string): Mail {
  const base = ocppBaseUrl?.replace(/\/+$/, '') ?? '';
  const n = credentials.length;
  const lines = [
    `Hello ${owner.contactName ?? owner.name},`,
    '',
    `${n} ${n === 1 ? 'charger was' : 'chargers were'} registered for ${owner.name}. Configure each one with its OCPP endpoint`,
    '(OCPP 1.6J over websocket, subprotocol ocpp1.6) and its password (HTTP Basic authentication,',
    'user name = the charger\'s identity, security profile 1 or 2):',
    '',
  ];
  for (const c of credentials) {
    lines.push(`Charger identity (EVSE uid): ${c.id}`, `  OCPP URL: ${base}/ocpp/${c.id}`, `  Password: ${c.password}`, '');
  }
  lines.push('Keep these passwords secret. They are not sent again; a lost password has to be reset by an operator.');
  return { to: owner.contactEmail!, subject: `OCPP credentials for ${n} new ${n === 1 ? 'charger' : 'chargers'}`, text: lines.join('\n') };
}
