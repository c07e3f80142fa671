import Router from '@koa/router';
import { cpoAuthRoutes } from './auth.routes.ts';
import { createUploadStore } from '../uploads/upload-store.ts';
import { accountRoutes } from './accounts.routes.ts';
import { filterRoutes } from './filters.routes.ts';
import { csvRoutes } from './csv.routes.ts';
import type { OcpiDeps } from './ocpi-deps.ts';
import { pendingRoutes } from './pending.routes.ts';
import { photoRoutes } from './photos.routes.ts';
import { supportRoutes } from './support.routes.ts';
import { tariffRoutes } from './tariffs.routes.ts';
import { uploadsRoutes } from './uploads.routes.ts';
import { webhookRoutes } from './webhook.routes.ts';

export type { OcpiDeps };

/** The CPO/eMSP REST API under /ocpi (shared/spec/emsp-v2-cpo-api.md); errors use the {status,data,message} envelope. */
export function ocpiRoutes(deps: OcpiDeps): Router[] {
  const routers: Router[] = [];
  routers.push(cpoAuthRoutes(deps));
  // accounts: registration, logo, details, filters, cities, pending (+ admin approval), photos, uploads
  const uploads = createUploadStore({ dir: deps.config.uploads.dir, maxBytes: deps.config.uploads.maxBytes, log: deps.log });
  routers.push(accountRoutes(deps, uploads), filterRoutes(deps), ...pendingRoutes(deps), photoRoutes(deps, uploads), uploadsRoutes(deps, uploads));
  // locations: CSV import, webhooks
  routers.push(csvRoutes(deps), webhookRoutes(deps));
  routers.push(tariffRoutes(deps), supportRoutes(deps));
  void deps;
  return routers;
}
