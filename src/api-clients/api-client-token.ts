import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { Db } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import * as apiClientRepository from './api-client.repository.ts';
import * as apiClientService from './api-client.service.ts';

/**
 * Bearer tokens for API clients (driver apps): the OAuth 2.0 client-credentials grant. The app
 * trades its client id and secret for a short-lived signed token and sends that as
 * `Authorization: Bearer …`. Every request re-reads the client, so revoking it (admin CLI
 * `revoke-api-client`, or the operator API) stops its tokens at once, before they expire.
 */
const TYP = 'client';
const ALGORITHM = 'HS256';
const ISSUER = 'charging-platform';
const AUDIENCE = 'charging-platform-orders';

export interface ClientTokenOptions {
  secret: string;
  ttlS: number;
  now?: () => Date;
}

export interface IssuedClientToken {
  accessToken: string;
  expiresIn: number;
}

export async function issue(db: Db, options: ClientTokenOptions, clientId: string, secret: string): Promise<IssuedClientToken> {
  const client = await apiClientService.authenticate(db, clientId, secret);
  const iat = Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const accessToken = jwt.sign({ typ: TYP, sub: client.clientId, iat, exp: iat + options.ttlS }, options.secret, {
    algorithm: ALGORITHM,
    issuer: ISSUER,
    audience: AUDIENCE,
  });
  return { accessToken, expiresIn: options.ttlS };
}

/** The unrevoked client a bearer token speaks for; UNAUTHENTICATED otherwise. */
export async function verify(db: Db, options: ClientTokenOptions, token: string): Promise<ApiClientRow> {
  let payload: string | JwtPayload;
  try {
    payload = jwt.verify(token, options.secret, {
      algorithms: [ALGORITHM],
      issuer: ISSUER,
      audience: AUDIENCE,
      clockTimestamp: Math.floor((options.now?.() ?? new Date()).getTime() / 1000),
    });
  } catch (err) {
    const expired = err instanceof jwt.TokenExpiredError;
    throw new AppError('UNAUTHENTICATED', expired ? 'access token has expired' : 'access token is invalid', { reason: expired ? 'expired' : 'invalid' });
  }
  if (typeof payload === 'string' || payload.typ !== TYP || typeof payload.sub !== 'string') {
    throw new AppError('UNAUTHENTICATED', 'access token is invalid', { reason: 'invalid' });
  }
  const client = await apiClientRepository.findByClientId(db, payload.sub);
  if (!client || client.revokedAt) throw new AppError('UNAUTHENTICATED', 'this API client has been revoked', { reason: 'revoked' });
  return client;
}
