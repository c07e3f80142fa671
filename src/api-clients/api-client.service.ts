import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as apiClientRepository from './api-client.repository.ts';

/**
 * API clients: the "Basic TOKEN" of the CPO/eMSP spec. An eMSP administrator issues an app a client id
 * and secret (sent as HTTP Basic `client_id:secret`); the secret is stored as a SHA-256 digest (it is
 * 32 random bytes, so a slow hash adds nothing) and can be revoked.
 */
export interface IssuedApiClient {
  client: ApiClientRow;
  secret: string;
}

const CLIENT_ID = /^[A-Za-z0-9._-]{3,64}$/;

const digest = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

export async function issue(db: Db, input: { name: string; clientId?: string; secret?: string }): Promise<IssuedApiClient> {
  const clientId = input.clientId ?? `app-${randomBytes(6).toString('hex')}`;
  if (!CLIENT_ID.test(clientId)) throw new AppError('VALIDATION_FAILED', 'client id must be 3-64 characters of A-Z a-z 0-9 . _ -');
  const secret = input.secret ?? randomBytes(32).toString('base64url');
  if (secret.length < 16) throw new AppError('VALIDATION_FAILED', 'client secret must be at least 16 characters');
  if (await apiClientRepository.findByClientId(db, clientId)) throw new AppError('CONFLICT', `API client ${clientId} exists already`);
  const client = await apiClientRepository.insert(db, { name: input.name, clientId, secretHash: digest(secret) });
  return { client, secret };
}

/** The client behind `Authorization: Basic …`, or AppError UNAUTHENTICATED. */
export async function authenticate(db: Db, clientId: string, secret: string): Promise<ApiClientRow> {
  const client = await apiClientRepository.findByClientId(db, clientId);
  const expected = Buffer.from(client?.secretHash ?? digest('no-such-client'), 'hex');
  const ok = timingSafeEqual(Buffer.from(digest(secret), 'hex'), expected);
  if (!client || !ok) throw new AppError('UNAUTHENTICATED', 'invalid API client credentials');
  if (client.revokedAt) throw new AppError('UNAUTHENTICATED', 'this API client has been revoked');
  return client;
}

export async function revoke(db: Db, clientId: string, at = new Date()): Promise<void> {
  if (!(await apiClientRepository.revoke(db, clientId, at))) {
    throw new AppError('NOT_FOUND', `no active API client ${clientId}`);
  }
}

export const list = apiClientRepository.list;
