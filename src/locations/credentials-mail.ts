import type { ChargerCredentials } from '../charge-points/charge-point.service.ts';
import type { Database } from '../db/database.ts';
import type { CpoOwnerRow } from '../db/schema.ts';
import type { Mail, Mailer } from '../mail/mailer.ts';
import type { WriteContext } from './location-writer.ts';

// The mail that hands new chargers' OCPP credentials to the CPO.

export interface CredentialsMailDeps {
  mailer: Mailer;
  ocppBaseUrl?: string | undefined;
}

export async function queueCredentialsMail(ctx: WriteContext, deps: CredentialsMailDeps, credentials: ReadonlyMap<string, ChargerCredentials>): Promise<number | undefined> {
  if (credentials.size === 0) return undefined;
  return deps.mailer.queue(ctx.tx, credentialsMail(ctx.owner, [...credentials.values()], deps.ocppBaseUrl));
}

export async function deliver(db: Database, deps: CredentialsMailDeps, mailId: number | undefined): Promise<void> {
  if (mailId !== undefined) await deps.mailer.deliver(db, [mailId]);
}

export function credentialsMail(owner: CpoOwnerRow, credentials: readonly ChargerCredentials[], ocppBaseUrl?: string): Mail {
  return composeCredentialsMail(owner, credentials.length, [credentialsMailEntries(credentials, ocppBaseUrl)]);
}

/**
 * The part of the mail about these chargers. The CSV import writes its chargers batch by batch and
 * keeps only this text of each batch (not the credentials) until it composes the mail at the end.
 */
export function credentialsMailEntries(credentials: readonly ChargerCredentials[], ocppBaseUrl?: string): string {
  const base = ocppBaseUrl?.replace(/\/+$/, '') ?? '';
  // join() makes one flat string: kept for the whole import, a rope of += pieces would cost several times its text.
  return credentials.map((c) => `Charger identity (EVSE uid): ${c.id}\n  OCPP URL: ${base}/ocpp/${c.id}\n  Password: ${c.password}\n\n`).join('');
}

/** The whole mail for `count` chargers whose entries (credentialsMailEntries) are `entries`, in order. */
export function composeCredentialsMail(owner: CpoOwnerRow, count: number, entries: readonly string[]): Mail {
  const n = count;
  const intro = [
    `Hello ${owner.contactName ?? owner.name},`,
    '',
    `${n} ${n === 1 ? 'charger was' : 'chargers were'} registered for ${owner.name}. Configure each one with its OCPP endpoint`,
    '(OCPP 1.6J over websocket, subprotocol ocpp1.6) and its password (HTTP Basic authentication,',
    'user name = the charger\'s identity, security profile 1 or 2):',
    '',
    '',
  ].join('\n');
  const outro = 'Keep these passwords secret. They are not sent again; a lost password has to be reset by an operator.';
  return { to: owner.contactEmail!, subject: `OCPP credentials for ${n} new ${n === 1 ? 'charger' : 'chargers'}`, text: intro + entries.join('') + outro };
}
