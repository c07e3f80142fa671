import { randomUUID } from 'node:crypto';
import jwt, { type JwtPayload } from 'jsonwebtoken';
import type { UserRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';

/**
 * Signed API tokens (JWT, HS256). Every token names what it is in a `typ` claim, so a token of one
 * kind is never accepted where another is expected: an access token is no refresh token and the
 * other way round. Both belong to a login session (`sid`): the signature proves who issued a token,
 * the session (checked in the database by src/auth/) whether it still counts.
 */
export type TokenType = 'access' | 'refresh';

/** Who a token speaks for: what the API needs to authorize a request without a database read. */
export interface TokenSubject {
  id: number;
  username: string;
  role: UserRole;
  cpoOwnerId: number | null;
}

/** A subject within one login session (`auth_session.id`, the `sid` claim). */
export interface SessionSubject extends TokenSubject {
  sessionId: string;
}

export interface TokenClaims extends SessionSubject {
  /** The token's own id (`jti`, a UUID): what a rotation check or a log line refers to. */
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export type AccessClaims = TokenClaims;
export type RefreshClaims = TokenClaims;

export interface IssuedToken {
  token: string;
  /** The `jti` claim. */
  tokenId: string;
  expiresAt: Date;
}

export interface TokenServiceOptions {
  /** HMAC key, at least 32 characters (config enforces the same for JWT_SECRET). */
  secret: string;
  accessTtlS: number;
  /** Lifetime of refresh tokens; 30 days when unset. */
  refreshTtlS?: number;
  issuer?: string;
  audience?: string;
  /** The clock, for tests: tokens are stamped and checked against it. */
  now?: () => Date;
}

export interface TokenService {
  readonly accessTtlS: number;
  readonly refreshTtlS: number;
  issueAccess(subject: SessionSubject): IssuedToken;
  issueRefresh(subject: SessionSubject): IssuedToken;
  /**
   * The claims of a well-signed, unexpired access token; AppError UNAUTHENTICATED (with
   * `details.reason`) otherwise. Says nothing about its session: src/auth/authenticator.ts does.
   */
  verifyAccess(token: string): AccessClaims;
  /** As verifyAccess, for refresh tokens. */
  verifyRefresh(token: string): RefreshClaims;
}

/** Why a token was refused, in `AppError.details.reason`: clients refresh on 'expired', re-login otherwise. */
export type TokenRejection =
  | 'expired'
  | 'not_yet_valid'
  | 'malformed'
  | 'bad_signature'
  | 'unsupported_algorithm'
  | 'wrong_audience'
  | 'wrong_type'
  | 'invalid';

const ALGORITHM = 'HS256';
const ROLES: readonly UserRole[] = ['ADMIN', 'OPERATOR', 'CPO_OWNER'];
const DEFAULT_REFRESH_TTL_S = 30 * 86_400;
// sid and jti end up in uuid columns: anything else is refused here rather than failing as SQL.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claims as they travel inside the JWT (snake_case, like the rest of the API). */
interface WireClaims {
  typ: TokenType;
  sub: string;
  username: string;
  role: UserRole;
  cpo_owner_id: number | null;
  sid: string;
}

export function createTokenService(options: TokenServiceOptions): TokenService {
  const { secret, accessTtlS } = options;
  const refreshTtlS = options.refreshTtlS ?? DEFAULT_REFRESH_TTL_S;
  if (typeof secret !== 'string' || secret.length < 32) throw new Error('token secret must be at least 32 characters');
  if (!Number.isInteger(accessTtlS) || accessTtlS < 1) throw new Error('accessTtlS must be a positive integer');
  if (!Number.isInteger(refreshTtlS) || refreshTtlS < 1) throw new Error('refreshTtlS must be a positive integer');
  const issuer = options.issuer ?? 'charging-platform';
  const audience = options.audience ?? 'charging-platform-api';
  const now = options.now ?? (() => new Date());
  const nowS = () => Math.floor(now().getTime() / 1000);

  function sign(typ: TokenType, subject: SessionSubject, ttlS: number): IssuedToken {
    if (typeof subject.sessionId !== 'string' || !UUID.test(subject.sessionId)) throw new Error('a token needs the UUID of its session');
    const iat = nowS();
    const exp = iat + ttlS;
    const jti = randomUUID();
    const claims: WireClaims & { iat: number; exp: number } = {
      typ,
      sub: String(subject.id),
      username: subject.username,
      role: subject.role,
      cpo_owner_id: subject.cpoOwnerId,
      sid: subject.sessionId,
      iat,
      exp,
    };
    const token = jwt.sign(claims, secret, { algorithm: ALGORITHM, issuer, audience, jwtid: jti });
    return { token, tokenId: jti, expiresAt: new Date(exp * 1000) };
  }

  function verify(token: string, typ: TokenType): TokenClaims {
    let payload: string | JwtPayload;
    try {
      payload = jwt.verify(token, secret, {
        // Pinned: the header's `alg` is attacker-controlled ('none', or RS256 with the secret as a "public key").
        algorithms: [ALGORITHM],
        issuer,
        audience,
        clockTimestamp: nowS(),
      });
    } catch (err) {
      throw rejection(typ, classify(err));
    }
    if (typeof payload === 'string') throw rejection(typ, 'malformed');
    if (payload.typ !== typ) throw rejection(typ, 'wrong_type');
    const id = Number(payload.sub);
    const { username, role, cpo_owner_id: cpoOwnerId, sid, jti, iat, exp } = payload as JwtPayload & Partial<WireClaims>;
    if (
      !Number.isSafeInteger(id) || id <= 0 ||
      typeof username !== 'string' ||
      !ROLES.includes(role as UserRole) ||
      !(cpoOwnerId === null || Number.isSafeInteger(cpoOwnerId)) ||
      typeof sid !== 'string' || !UUID.test(sid) ||
      typeof jti !== 'string' || !UUID.test(jti) ||
      typeof iat !== 'number' || typeof exp !== 'number'
    ) {
      throw rejection(typ, 'malformed');
    }
    return {
      id,
      username,
      role: role as UserRole,
      cpoOwnerId: cpoOwnerId ?? null,
      sessionId: sid,
      tokenId: jti,
      issuedAt: new Date(iat * 1000),
      expiresAt: new Date(exp * 1000),
    };
  }

  return {
    accessTtlS,
    refreshTtlS,
    issueAccess: (subject) => sign('access', subject, accessTtlS),
    issueRefresh: (subject) => sign('refresh', subject, refreshTtlS),
    verifyAccess: (token) => verify(token, 'access'),
    verifyRefresh: (token) => verify(token, 'refresh'),
  };
}

const REASON_TEXT: Record<TokenRejection, string> = {
  expired: 'has expired',
  not_yet_valid: 'is not valid yet',
  malformed: 'is malformed',
  bad_signature: 'has an invalid signature',
  unsupported_algorithm: 'uses an unsupported signing algorithm',
  wrong_audience: 'was not issued for this service',
  wrong_type: 'is not the right kind of token',
  invalid: 'is invalid',
};

function rejection(typ: TokenType, reason: TokenRejection): AppError {
  return new AppError('UNAUTHENTICATED', `${typ} token ${REASON_TEXT[reason]}`, { reason });
}

/** jsonwebtoken reports everything but expiry as JsonWebTokenError with a message: reduce it to a short reason. */
function classify(err: unknown): TokenRejection {
  if (err instanceof jwt.TokenExpiredError) return 'expired';
  if (err instanceof jwt.NotBeforeError) return 'not_yet_valid';
  if (!(err instanceof jwt.JsonWebTokenError)) return 'invalid';
  const message = err.message;
  if (message === 'invalid signature') return 'bad_signature';
  if (message === 'invalid algorithm' || message === 'jwt signature is required') return 'unsupported_algorithm';
  if (message.startsWith('jwt audience invalid') || message.startsWith('jwt issuer invalid')) return 'wrong_audience';
  if (message === 'jwt malformed' || message === 'invalid token' || message.startsWith('jwt must be')) return 'malformed';
  return 'invalid';
}
