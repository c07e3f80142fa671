import type { Middleware } from 'koa';
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import type { OpenAPIRegistry } from '../http/openapi.ts';
import type { Logger } from '../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { TokenService } from '../security/jwt.ts';

/** What the CPO/eMSP REST routes (shared/spec/emsp-v2-cpo-api.md) are built from. */
export interface OcpiDeps {
  db: Database;
  config: Config;
  registry: OpenAPIRegistry;
  log: Logger;
  mailer: Mailer;
  tokens: TokenService;
  /** "Authorization: Bearer TOKEN": a logged-in user with one of `roles` (sets ctx.state.user). */
  requireUser(roles: readonly UserRole[]): Middleware;
  /** "Authorization: Basic TOKEN": a valid, unrevoked API client (sets ctx.state.apiClient). */
  requireApiClient: Middleware;
}
