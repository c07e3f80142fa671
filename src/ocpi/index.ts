import Router from '@koa/router';
import type { OcpiDeps } from './ocpi-deps.ts';

export type { OcpiDeps };

/** The CPO/eMSP REST API under /ocpi (shared/spec/emsp-v2-cpo-api.md); errors use the {status,data,message} envelope. */
export function ocpiRoutes(deps: OcpiDeps): Router[] {
  const routers: Router[] = [];
  // auth: login, refresh, logout, change-old-password
  // accounts: registration, logo, details, filters, cities, pending, photos, uploads
  // locations: CSV import, webhooks
  void deps;
  return routers;
}
