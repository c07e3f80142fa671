import type { Context, Next } from 'koa';
import * as apiClientService from '../api-clients/api-client.service.ts';
import type { Database } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';

const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/** Parses `Authorization: Basic base64(id:secret)`; undefined when absent or not Basic. */
export function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header ? BASIC.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

/** Koa middleware for the spec's "Basic TOKEN" endpoints: a valid, unrevoked API client. Sets ctx.state.apiClient. */
export function requireApiClient(db: Database) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const credentials = parseBasic(ctx.get('Authorization') || undefined);
    if (!credentials) {
      ctx.set('WWW-Authenticate', 'Basic realm="api"');
      throw new AppError('UNAUTHENTICATED', 'missing Authorization: Basic <client id:secret> header');
    }
    ctx.state.apiClient = await apiClientService.authenticate(db, credentials.id, credentials.secret);
    await next();
  };
}

export function currentApiClient(ctx: Context): ApiClientRow {
  const client = ctx.state.apiClient as ApiClientRow | undefined;
  if (!client) throw new Error('currentApiClient() called on a route without requireApiClient()');
  return client;
}
