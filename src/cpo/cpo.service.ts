import { createHash, randomBytes } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Database, Db } from '../db/database.ts';
import type { CpoOwnerRow, CpoOwnerTable } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import { parseStoredName, type IncomingFile, type StoredFile, type UploadStore } from '../uploads/upload-store.ts';
import * as userService from '../users/user.service.ts';
import * as cpoRepository from './cpo.repository.ts';

/**
 * Charge point operator (CPO) accounts: registration, details and logo.
 *
 * Registration creates, in one transaction (all or nothing):
 * - the `cpo_owner` row, identified in OCPI style by (country_code, party_id);
 * - its first user, role CPO_OWNER, with a one-time password (`userService.generatePassword()`) that
 *   must be changed at the first login (`must_change_password`);
 * - its token C (32 random bytes, base64url) for the webhooks; only its SHA-256 (hex) is stored;
 * - a mail to `contact_email` with the username, the one-time password and token C, queued in the
 *   outbox in the same transaction and delivered after the commit.
 * Neither secret is stored in the clear anywhere else; a lost token C means a new registration
 * (or, later, a rotation endpoint).
 *
 * Party id: given (`party_id`, 3 letters/digits, upper-cased) it must be free in its country (else 409).
 * Derived, it comes from the operator's name: its letters and digits (accents dropped) upper-cased,
 * padded with X to 3: "Solarius" → SOL; when taken SO2…SO9, then S10…S99, then S + any two letters or
 * digits; the first free one in the country wins (see `partyIdCandidates`).
 *
 * Logo flow (the spec's POST /cpo/upload carries no CPO): the image is uploaded first (API client),
 * which stores it under a generated name (`logo-<hex>.<ext>`) and answers that name in `Location`
 * (`/uploads/<name>`); the name is then given as `logo` at registration or to the logo PATCH. Both
 * accept the bare name or anything ending in `/<name>` (the Location value itself). The file must be in
 * the store as a logo and not be another CPO's logo. A replaced logo file is deleted after the commit.
 */
export const DEFAULT_COUNTRY_CODE = 'PH';
export const PARTY_ID_PATTERN = /^[A-Z0-9]{3}$/;
export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;
/** Digits, with an optional leading + and spaces, dots, dashes or parentheses between; 7 to 15 digits (E.164's maximum). */
export const PHONE_PATTERN = /^\+?[0-9 ().-]+$/;
export const PHONE_MIN_DIGITS = 7;
export const PHONE_MAX_DIGITS = 15;

export function isPhoneNumber(value: string): boolean {
  if (!PHONE_PATTERN.test(value)) return false;
  const digits = value.replace(/\D/g, '').length;
  return digits >= PHONE_MIN_DIGITS && digits <= PHONE_MAX_DIGITS;
}

export interface Registration {
  username: string;
  cpoOwnerName: string;
  contactName: string;
  contactNumber: string;
  contactEmail: string;
  ocppReady: boolean;
  /** A stored logo's file name (or its /uploads URL); see the logo flow above. */
  logo?: string | null | undefined;
  /** ISO 3166-1 alpha-2; default PH. */
  countryCode?: string | undefined;
  /** Three letters or digits; derived from the name when absent. */
  partyId?: string | undefined;
}

export interface Registered {
  cpoOwner: CpoOwnerRow;
  user: userService.User;
  /** Shown only in the mail; returned for the caller's tests and tools, never over HTTP. */
  oneTimePassword: string;
  tokenC: string;
  mailId: number;
}

export interface CpoServiceDeps {
  mailer: Mailer;
  store: UploadStore;
  log: Logger;
}

/** What token C is stored as (`cpo_owner.token_c_hash`): SHA-256, hex. Token C is 256 random bits, so a slow hash adds nothing. */
export function tokenCHash(tokenC: string): string {
  return createHash('sha256').update(tokenC, 'utf8').digest('hex');
}

export async function register(db: Database, deps: CpoServiceDeps, input: Registration): Promise<Registered> {
  const countryCode = (input.countryCode ?? DEFAULT_COUNTRY_CODE).toUpperCase();
  if (!COUNTRY_CODE_PATTERN.test(countryCode)) throw new AppError('VALIDATION_FAILED', 'country_code must be two letters (ISO 3166-1 alpha-2)');
  const partyId = input.partyId?.toUpperCase();
  if (partyId !== undefined && !PARTY_ID_PATTERN.test(partyId)) throw new AppError('VALIDATION_FAILED', 'party_id must be three letters or digits');
  if (!isPhoneNumber(input.contactNumber)) throw new AppError('VALIDATION_FAILED', 'contact_number must be a phone number of 7 to 15 digits');
  const logo = input.logo == null ? null : await checkLogo(deps.store, input.logo);

  const oneTimePassword = userService.generatePassword();
  const tokenC = randomBytes(32).toString('base64url');

  const result = await db.transaction().execute(async (tx) => {
    if (logo && (await cpoRepository.logoUsedByOther(tx, logo, null))) {
      throw new AppError('CONFLICT', `logo ${logo} belongs to another CPO`);
    }
    const row = {
      name: input.cpoOwnerName,
      countryCode,
      contactName: input.contactName,
      contactNumber: input.contactNumber,
      contactEmail: input.contactEmail,
      ocppReady: input.ocppReady,
      logo,
    };
    const inserted = partyId
      ? await cpoRepository.insertIfPartyFree(tx, { ...row, partyId })
      : await insertWithDerivedPartyId(tx, row, input.cpoOwnerName);
    if (!inserted) throw new AppError('CONFLICT', `party ${countryCode}/${partyId} is already registered`);
    const cpoOwner = await cpoRepository.setTokenCHash(tx, inserted.id, tokenCHash(tokenC));
    const user = await userService.createUser(tx, {
      username: input.username,
      password: oneTimePassword,
      role: 'CPO_OWNER',
      cpoOwnerId: cpoOwner.id,
      mustChangePassword: true,
    });
    const mailId = await deps.mailer.queue(tx, registrationMail(cpoOwner, user.username, oneTimePassword, tokenC));
    return { cpoOwner, user, mailId };
  });
  await deliver(db, deps, [result.mailId]);
  return { ...result, oneTimePassword, tokenC };
}

/** The CPO's own record (for GET /details); NOT_FOUND when it no longer exists. */
export async function getDetails(db: Database, cpoOwnerId: number): Promise<CpoOwnerRow> {
  const owner = await cpoRepository.findById(db, cpoOwnerId);
  if (!owner) throw new AppError('NOT_FOUND', `CPO owner ${cpoOwnerId} not found`);
  return owner;
}

/** Stores an uploaded logo image (checked by its bytes) under a generated name; attaches it to no one yet. */
export async function storeLogo(store: UploadStore, file: IncomingFile): Promise<StoredFile> {
  const [stored] = await store.save('logo', [file]);
  return stored!;
}

/** Makes a stored logo the CPO's logo; the previous logo file is deleted once this is committed. */
export async function setLogo(db: Database, deps: Pick<CpoServiceDeps, 'store'>, cpoOwnerId: number, logoRef: string): Promise<CpoOwnerRow> {
  const logo = await checkLogo(deps.store, logoRef);
  const { owner, previous } = await db.transaction().execute(async (tx) => {
    const current = await cpoRepository.lockById(tx, cpoOwnerId);
    if (!current) throw new AppError('NOT_FOUND', `CPO owner ${cpoOwnerId} not found`);
    if (await cpoRepository.logoUsedByOther(tx, logo, cpoOwnerId)) {
      throw new AppError('CONFLICT', `logo ${logo} belongs to another CPO`);
    }
    const owner = await cpoRepository.setLogo(tx, cpoOwnerId, logo, new Date());
    return { owner: owner!, previous: current.logo };
  });
  if (previous && previous !== logo) await deps.store.remove([previous]);
  return owner;
}

/** The stored file name a logo reference names: the bare name, or the last path segment of its URL. */
export function logoFileName(ref: string): string | undefined {
  const path = ref.trim().replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1);
  return parseStoredName(name)?.kind === 'logo' ? name : undefined;
}

async function checkLogo(store: UploadStore, ref: string): Promise<string> {
  const name = logoFileName(ref);
  if (!name || !(await store.exists(name, 'logo'))) {
    throw new AppError('VALIDATION_FAILED', `logo ${JSON.stringify(ref.slice(0, 200))} is not an uploaded logo; upload the image first and give the file name it was stored under`);
  }
  return name;
}

/**
 * Party ids to try for an operator's name, best first: "Solarius" → SOL, SO2…SO9, S10…S99, then S
 * followed by every pair of letters/digits. Letters and digits only, accents dropped, padded with X.
 */
export function partyIdCandidates(name: string): string[] {
  const letters = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  const base = `${letters}XXX`.slice(0, 3);
  const candidates = [base];
  for (let d = 2; d <= 9; d++) candidates.push(`${base.slice(0, 2)}${d}`);
  for (let n = 10; n <= 99; n++) candidates.push(`${base[0]}${n}`);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (const a of alphabet) for (const b of alphabet) candidates.push(`${base[0]}${a}${b}`);
  return [...new Set(candidates)];
}

async function insertWithDerivedPartyId(tx: Db, row: Omit<Insertable<CpoOwnerTable>, 'partyId'>, name: string): Promise<CpoOwnerRow> {
  const candidates = partyIdCandidates(name);
  // A concurrent registration may take the id between the read and the insert: read again and retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const taken = await cpoRepository.partyIdsStartingWith(tx, row.countryCode, candidates[0]![0]!);
    const free = candidates.find((c) => !taken.has(c));
    if (!free) break;
    const inserted = await cpoRepository.insertIfPartyFree(tx, { ...row, partyId: free });
    if (inserted) return inserted;
  }
  throw new AppError('CONFLICT', `no free party id could be derived from "${name}"; give party_id`);
}

function registrationMail(owner: CpoOwnerRow, username: string, oneTimePassword: string, tokenC: string): Mail {
  return {
    to: owner.contactEmail!,
    subject: `Your charge point operator account ${owner.countryCode}/${owner.partyId}`,
    text: [
      `Hello ${owner.contactName},`,
      '',
      `${owner.name} is registered as charge point operator ${owner.countryCode}/${owner.partyId}.`,
      '',
      'Log in with',
      `  username: ${username}`,
      `  one-time password: ${oneTimePassword}`,
      'and choose a new password at the first login.',
      '',
      'Token C for your back end (keep it secret; it is not shown again):',
      `  ${tokenC}`,
      'Send it as "Authorization: Bearer <token C>" to',
      `  /ocpi/cpo/api/v1/webhook/locations/${owner.countryCode}/${owner.partyId}`,
      `  /ocpi/cpo/api/v1/webhook/evse/${owner.countryCode}/${owner.partyId}`,
      '',
    ].join('\n'),
  };
}

/** After the commit: the account exists whatever happens to the mail, which stays in the outbox if it fails. */
async function deliver(db: Database, deps: CpoServiceDeps, ids: number[]): Promise<void> {
  try {
    await deps.mailer.deliver(db, ids);
  } catch (err) {
    deps.log.error({ err, ids }, 'registration mail not delivered; it stays in the outbox');
  }
}

// Driver support: who a driver charging at this CPO's chargers can reach. Shown by the order API's
// support endpoint; a CPO without its own details falls back to the platform's (config.support).

export const SUPPORT_CHANNELS = ['phone', 'email', 'web', 'chat'] as const;
export type SupportChannel = (typeof SUPPORT_CHANNELS)[number];

export interface SupportDetails {
  name: string;
  phone: string;
  email: string;
  url: string | null;
  /** Free text, e.g. "Mon–Sun 07:00–22:00". */
  hours: string;
  channels: SupportChannel[];
}

/** The CPO's support details; undefined when it configured none (or does not exist). */
export async function supportFor(db: Db, cpoOwnerId: number): Promise<SupportDetails | undefined> {
  const row = await cpoRepository.findSupport(db, cpoOwnerId);
  if (!row?.supportName || !row.supportPhone || !row.supportEmail || !row.supportHours) return undefined;
  const known: readonly string[] = SUPPORT_CHANNELS;
  return {
    name: row.supportName,
    phone: row.supportPhone,
    email: row.supportEmail,
    url: row.supportUrl,
    hours: row.supportHours,
    channels: (row.supportChannels ?? []).filter((c): c is SupportChannel => known.includes(c)),
  };
}

/** Replaces the CPO's support details (all fields; url may be null unless the web channel is offered). */
export async function setSupport(db: Db, cpoOwnerId: number, details: SupportDetails): Promise<SupportDetails> {
  const name = details.name.trim();
  const hours = details.hours.trim();
  const url = details.url?.trim() || null;
  if (name.length < 1 || name.length > 120) throw new AppError('VALIDATION_FAILED', 'name: must be 1 to 120 characters');
  if (!isPhoneNumber(details.phone)) throw new AppError('VALIDATION_FAILED', `phone: must be a phone number of ${PHONE_MIN_DIGITS} to ${PHONE_MAX_DIGITS} digits`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(details.email) || details.email.length > 254) throw new AppError('VALIDATION_FAILED', 'email: must be an e-mail address');
  if (url !== null && !/^https?:\/\/\S+$/.test(url)) throw new AppError('VALIDATION_FAILED', 'url: must be an http(s) URL');
  if (hours.length < 1 || hours.length > 200) throw new AppError('VALIDATION_FAILED', 'hours: must be 1 to 200 characters');
  const known: readonly string[] = SUPPORT_CHANNELS;
  const channels = details.channels;
  if (channels.length === 0 || new Set(channels).size !== channels.length || !channels.every((c) => known.includes(c))) {
    throw new AppError('VALIDATION_FAILED', `channels: must be distinct values among ${SUPPORT_CHANNELS.join(', ')}`);
  }
  if (channels.includes('web') && url === null) throw new AppError('VALIDATION_FAILED', 'url: is required with the web channel');
  const saved = await cpoRepository.setSupport(
    db,
    cpoOwnerId,
    { supportName: name, supportPhone: details.phone, supportEmail: details.email, supportUrl: url, supportHours: hours, supportChannels: channels },
    new Date(),
  );
  if (!saved) throw new AppError('NOT_FOUND', `CPO owner ${cpoOwnerId} not found`);
  return { name, phone: details.phone, email: details.email, url, hours, channels: [...channels] };
}
