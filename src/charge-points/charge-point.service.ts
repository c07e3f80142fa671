import type { UnknownChargerPolicy } from '../config.ts';
import type { Database, Db } from '../db/database.ts';
import type { ChargePointRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { CHARGER_PASSWORD_COST, generateChargerSecrets, hashPassword, verifyPassword } from '../security/password.ts';
import * as chargePointRepository from './charge-point.repository.ts';
import type { BootInfo, StoredCredentials } from './charge-point.repository.ts';

export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

export type ConnectDecision =
  | { accepted: true; created: boolean }
  | { accepted: false; reason: 'unknown_charger' | 'password_required' | 'wrong_password' };

/** Charger identities as OCPP allows them in a URL path (CiString-like, no separators or spaces). */
export const CHARGE_POINT_ID_PATTERN = /^[A-Za-z0-9._:*+@-]{1,48}$/;

/** How authorizeConnection reads a charger's credentials (the OCPP server batches these reads). */
export type CredentialLookup = (identity: string) => Promise<StoredCredentials | undefined>;

export function findCredentials(db: Db, ids: readonly string[]): Promise<Map<string, StoredCredentials>> {
  return chargePointRepository.findCredentials(db, ids);
}

/**
 * Decides whether a websocket upgrade for `identity` may proceed (security profile 1/2: HTTP Basic
 * with the charger's own password). A charger registered without a password is an explicit choice
 * for closed networks and connects with or without credentials.
 */
export async function authorizeConnection(
  db: Db,
  identity: string,
  password: Buffer | undefined,
  unknownChargers: UnknownChargerPolicy,
  lookup: CredentialLookup = async (id) => (await findCredentials(db, [id])).get(id),
): Promise<ConnectDecision> {
  const chargePoint = await lookup(identity);
  if (!chargePoint) {
    if (unknownChargers === 'reject') return { accepted: false, reason: 'unknown_charger' };
    await chargePointRepository.insertIfAbsent(db, { id: identity, passwordHash: null, registrationStatus: 'Pending' });
    return { accepted: true, created: true };
  }
  if (chargePoint.passwordHash === null) return { accepted: true, created: false };
  if (!password || password.length === 0) return { accepted: false, reason: 'password_required' };
  // Either format: scrypt for a password an operator chose, sha256 for one the platform generated.
  const ok = await verifyPassword(password, chargePoint.passwordHash);
  return ok ? { accepted: true, created: false } : { accepted: false, reason: 'wrong_password' };
}

export interface RegisterChargePoint {
  id: string;
  /** null registers a charger that connects without credentials (closed test networks only). */
  password: string | null;
  registrationStatus?: RegistrationStatus;
}

/**
 * Registers a charger, or completes the registration of one that connected while unknown (Pending).
 * Its next BootNotification is answered Accepted.
 */
export async function register(db: Db, input: RegisterChargePoint): Promise<ChargePointRow> {
  if (!CHARGE_POINT_ID_PATTERN.test(input.id)) {
    throw new AppError('VALIDATION_FAILED', 'charge point id must be 1-48 characters of A-Z a-z 0-9 . _ : * + @ -');
  }
  if (input.password !== null && (input.password.length < 16 || input.password.length > 40)) {
    throw new AppError('VALIDATION_FAILED', 'charger password must be 16 to 40 characters (OCPP security profile 1/2)');
  }
  // The caller may have chosen this password (it may be weak): the slow KDF.
  const passwordHash = input.password === null ? null : await hashPassword(input.password, CHARGER_PASSWORD_COST);
  const registrationStatus = input.registrationStatus ?? 'Accepted';
  const existing = await chargePointRepository.findById(db, input.id);
  if (!existing) return chargePointRepository.insert(db, { id: input.id, passwordHash, registrationStatus });
  if (existing.registrationStatus !== 'Pending') {
    throw new AppError('CONFLICT', `charge point ${input.id} is already registered`);
  }
  const updated = await chargePointRepository.update(db, input.id, { passwordHash, registrationStatus });
  return updated!;
}

export interface BootRecord {
  id: string;
  boot: BootInfo;
  at: Date;
}

/**
 * Stores what chargers say about themselves, many in one statement, and tells each whether it is
 * accepted (in input order). The later of two boots of one charger wins, as if written one by one.
 */
export async function recordBoots(db: Db, boots: readonly BootRecord[]): Promise<RegistrationStatus[]> {
  const statuses = await chargePointRepository.recordBoots(db, latestPerKey(boots, (b) => b.id).map((b) => ({ id: b.id, at: b.at, ...b.boot })));
  // The row exists for every connected charger; a missing one was deleted while connected.
  return boots.map((b) => statuses.get(b.id) ?? 'Rejected');
}

export type ConnectedRecord = chargePointRepository.ConnectedRow;
export type DisconnectedRecord = chargePointRepository.DisconnectedRow;

/** Marks chargers online on a node; of two connections of one charger the later one wins. */
export function connectedMany(db: Db, connections: readonly ConnectedRecord[]): Promise<void> {
  return chargePointRepository.markConnectedMany(db, latestPerKey(connections, (c) => c.id));
}

/**
 * Marks chargers offline, each only if the closed connection is still its current one; true for those
 * that went offline (a connection reported twice counts once).
 */
export async function disconnectedMany(db: Db, closed: readonly DisconnectedRecord[]): Promise<boolean[]> {
  const offline = await chargePointRepository.markDisconnectedMany(db, latestPerKey(closed, (c) => c.wsConnectionId));
  return closed.map((c) => offline.delete(c.wsConnectionId));
}

/** The last item of each key (what writing them one by one would leave). */
function latestPerKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  if (items.length < 2) return [...items];
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

export function releaseServer(db: Db, serverId: string, at: Date): Promise<number> {
  return chargePointRepository.markServerOffline(db, serverId, at);
}

export async function recordDiagnosticsStatus(db: Database, id: string, status: string, at: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await chargePointRepository.update(tx, id, { diagnosticsStatus: status, diagnosticsStatusAt: at });
    await chargePointRepository.insertEvent(tx, id, 'diagnostics', status);
  });
}

export async function recordFirmwareStatus(db: Database, id: string, status: string, at: Date): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await chargePointRepository.update(tx, id, { firmwareStatus: status, firmwareStatusAt: at });
    await chargePointRepository.insertEvent(tx, id, 'firmware', status);
  });
}

export function get(db: Db, id: string): Promise<ChargePointRow | undefined> {
  return chargePointRepository.findById(db, id);
}

export interface ChargerCredentials {
  id: string;
  /** Shown once, to the owner (e.g. by mail); only the hash is stored. */
  password: string;
  passwordHash: string;
}

/**
 * A fresh password and its hash for each charger id, for registerMany. The passwords are generated
 * here, 192 random bits each, so they are stored as a fast `sha256$` digest (security/password.ts
 * says why a slow KDF adds nothing for them): microseconds per charger, where scrypt took milliseconds
 * and was what limited bulk registration.
 */
export function generateCredentials(ids: readonly string[]): ChargerCredentials[] {
  const secrets = generateChargerSecrets(ids.length);
  return ids.map((id, i) => ({ id, password: secrets[i]!.password, passwordHash: secrets[i]!.hash }));
}

/**
 * register() for many chargers in one statement, with already hashed passwords: new ids are
 * registered Accepted, chargers that connected while unknown (Pending) are completed. CONFLICT
 * names an id that is already registered; the caller's transaction then rolls back.
 */
export async function registerMany(db: Db, chargers: ReadonlyArray<{ id: string; passwordHash: string }>): Promise<void> {
  const invalid = chargers.find((c) => !CHARGE_POINT_ID_PATTERN.test(c.id));
  if (invalid) throw new AppError('VALIDATION_FAILED', `charge point id ${JSON.stringify(invalid.id)} must be 1-48 characters of A-Z a-z 0-9 . _ : * + @ -`);
  const written = new Set(await chargePointRepository.registerMany(db, chargers));
  const taken = chargers.find((c) => !written.has(c.id));
  if (taken) throw new AppError('CONFLICT', `charge point ${taken.id} is already registered`, { uid: taken.id });
}
