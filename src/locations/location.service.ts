import * as chargePointService from '../charge-points/charge-point.service.ts';
import type { ChargerCredentials } from '../charge-points/charge-point.service.ts';
import type { Database, Db } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { validateLocationsCsv, type CsvRow } from './csv-import.ts';
import { composeCredentialsMail, deliver, queueCredentialsMail } from './credentials-mail.ts';
import { CsvImportWriter } from './csv-writer.ts';
import { assertKnownCodes, evseCodes, loadReferences, locationCodes, referenceSets } from './location-references.ts';
import { inTransaction, writeConnectors, writeEvses, writeLocations, type WriteContext } from './location-writer.ts';
import type { ConnectorFields, EvseInput, LocationInput } from './location-input.ts';
import * as locationRepository from './location.repository.ts';

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

/** Rows written per batch of the CSV import (one statement each, csv-writer); the next batch is read meanwhile. */
const CSV_WRITE_BATCH = 2000;

export type CsvImportPhase = 'checked' | 'written';

export interface CsvImportOptions {
  /** Rows checked and rows written so far (every 1000 rows and at the end): for logs and benchmarks. */
  onProgress?(phase: CsvImportPhase, rows: number): void;
}

/**
 * The CSV import (docs/csv-import.md), in one pass over the file inside one transaction: each row is
 * checked as it is read, and rows are written in batches (one statement each, csv-writer) while no
 * problem has been found. Any problem (400, `details.errors` = [{line, column, reason}], every one in the file) rolls
 * the transaction back: all rows or none. Memory holds a small fixed amount per location and per EVSE
 * (for the checks across rows, the new ids and the credentials mail's text), never the file's rows.
 */
export async function importLocationsCsv(
  db: Database,
  cpoOwnerId: number,
  path: string,
  deps: LocationServiceDeps,
  options: CsvImportOptions = {},
): Promise<CsvImportResult> {
  const owner = await ownerWithContact(db, cpoOwnerId);
  const refs = await loadReferences(db);

  const created = await inTransaction(db, async (tx) => {
    const writer = new CsvImportWriter(tx, owner, refs, deps.ocppBaseUrl);
    const write = async (batch: CsvRow[]) => {
      const taken = await writer.write(batch);
      options.onProgress?.('written', writer.written);
      return taken;
    };

    const validation = await validateLocationsCsv(path, {
      references: referenceSets(refs),
      takenUids: (uids) => locationRepository.findTakenUids(tx, uids),
      onProgress: (rows) => options.onProgress?.('checked', rows),
      sink: { write, batchSize: CSV_WRITE_BATCH },
    });
    if (validation.issueCount > 0) {
      const n = validation.invalidLines;
      const omitted = validation.issueCount - validation.issues.length;
      // Thrown inside the transaction: whatever was written before the problem was found is rolled back.
      throw new AppError('VALIDATION_FAILED', `CSV has ${n} invalid ${n === 1 ? 'row' : 'rows'}; nothing was imported`, {
        errors: validation.issues,
        ...(omitted > 0 ? { errors_not_listed: omitted } : {}),
      });
    }
    const mailId = await deps.mailer.queue(tx, composeCredentialsMail(owner, writer.evseIds.size, writer.mailEntries));
    return { rows: validation.rows, locations: writer.locationIds.size, evses: writer.evseIds.size, connectors: writer.written, mailId };
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

/** Refuses taken uids before the slow part (hashing passwords), then makes each charger's credentials. */
async function credentialsFor(db: Db, uids: readonly string[]): Promise<Map<string, ChargerCredentials>> {
  const taken = await takenUids(db, uids);
  if (taken.length > 0) {
    throw new AppError('CONFLICT', `EVSE uid ${taken[0]} is already registered (as an EVSE or as an OCPP charger)`, { uids: taken });
  }
  const credentials = chargePointService.generateCredentials(uids);
  return new Map(credentials.map((c) => [c.id, c]));
}

async function takenUids(db: Db, uids: readonly string[]): Promise<string[]> {
  const taken: string[] = [];
  for (let i = 0; i < uids.length; i += 1000) taken.push(...(await locationRepository.findTakenUids(db, uids.slice(i, i + 1000))));
  return taken;
}

export { credentialsMail } from './credentials-mail.ts';
