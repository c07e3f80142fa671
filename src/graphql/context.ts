import * as apiClientService from '../api-clients/api-client.service.ts';
import type { Authenticator, SessionUser } from '../auth/authenticator.ts';
import type { ConnectorStatusChange, StatusFeed } from '../map/status-feed.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { ApiClientRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { parseBasic } from '../http/api-client-auth.ts';
import { createLoaders, type Loaders } from './loaders.ts';

/** Who is asking: a user's Bearer access token, or an app's Basic API client credentials. */
export type Caller = { kind: 'user'; user: SessionUser } | { kind: 'client'; client: ApiClientRow };

/** What a caller may see: one CPO's data (cpoOwnerId), or published locations only, or everything. */
export interface Scope {
  cpoOwnerId?: number | undefined;
  publishedOnly: boolean;
}

/** The part of the status feed (src/map/status-feed.ts) the subscription resolver uses. */
export type StatusFeedPort = Pick<StatusFeed, 'subscribe'>;
export type { ConnectorStatusChange };

export interface GraphqlContext {
  db: Db;
  config: Config['graphql'];
  publicUrl: string | undefined;
  loaders: Loaders;
  statusFeed: StatusFeedPort;
  /** The authenticated caller (memoised), undefined without credentials; UNAUTHENTICATED when they are wrong. */
  caller(): Promise<Caller | undefined>;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)[ \t]*$/i;

export function createContext(deps: {
  db: Db;
  config: Config;
  authenticator: Authenticator;
  statusFeed: StatusFeedPort;
  authorization: string | null;
}): GraphqlContext {
  const { db, authenticator, authorization } = deps;
  let caller: Promise<Caller | undefined> | undefined;
  const authenticate = async (): Promise<Caller | undefined> => {
    if (!authorization) return undefined;
    const bearer = BEARER.exec(authorization);
    if (bearer) return { kind: 'user', user: await authenticator.authenticate(bearer[1]!) };
    const basic = parseBasic(authorization);
    if (basic) return { kind: 'client', client: await apiClientService.authenticate(db, basic.id, basic.secret) };
    throw new AppError('UNAUTHENTICATED', 'Authorization must be "Bearer <access token>" or "Basic <client id:secret>"');
  };
  return {
    db,
    config: deps.config.graphql,
    publicUrl: deps.config.publicUrl,
    loaders: createLoaders(db),
    statusFeed: deps.statusFeed,
    caller: () => (caller ??= authenticate()),
  };
}

/** A user's scope: a CPO_OWNER user sees its own CPO's data, ADMIN and OPERATOR every CPO's. */
function userScope(user: SessionUser): Scope {
  if (user.mustChangePassword) throw new AppError('PASSWORD_CHANGE_REQUIRED', 'the password of this account must be changed first');
  if (user.role !== 'CPO_OWNER') return { publishedOnly: false };
  if (user.cpoOwnerId === null || user.cpoOwnerId === undefined) throw new AppError('FORBIDDEN', 'this user acts for no CPO');
  return { cpoOwnerId: user.cpoOwnerId, publishedOnly: false };
}

/** The CPO's own data: a Bearer access token. */
export async function requireUser(ctx: GraphqlContext): Promise<Scope> {
  const caller = await ctx.caller();
  if (caller?.kind !== 'user') {
    throw new AppError('UNAUTHENTICATED', caller ? 'this query needs a user\'s Bearer access token, not API client credentials' : 'missing Authorization: Bearer <access token> header');
  }
  return userScope(caller.user);
}

/** The public finders: an API client's Basic credentials; published locations only. */
export async function requireApiClient(ctx: GraphqlContext): Promise<Scope> {
  const caller = await ctx.caller();
  if (caller?.kind !== 'client') {
    throw new AppError('UNAUTHENTICATED', caller ? 'this query needs API client credentials (Basic), not a Bearer token' : 'missing Authorization: Basic <client id:secret> header');
  }
  return { publishedOnly: true };
}

/** Either kind of caller (the subscription). */
export async function requireAnyCaller(ctx: GraphqlContext): Promise<Scope> {
  const caller = await ctx.caller();
  if (!caller) throw new AppError('UNAUTHENTICATED', 'missing Authorization header (Bearer <access token> or Basic <client id:secret>)');
  return caller.kind === 'client' ? { publishedOnly: true } : userScope(caller.user);
}
