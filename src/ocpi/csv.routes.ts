import Router from '@koa/router';
import { currentUser } from '../http/auth.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { readMultipart } from '../http/multipart.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { AppError } from '../errors.ts';
import * as locationService from '../locations/location.service.ts';
import type { OcpiDeps } from './ocpi-deps.ts';
import { ocppBaseUrl } from './webhook.routes.ts';

/** POST /ocpi/cpo/api/v2/locations/uploads/csv: a CPO owner imports locations, EVSEs and connectors (docs/csv-import.md). */
export function csvRoutes(deps: OcpiDeps): Router {
  const { db, registry, mailer, config, log } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/v2/locations/uploads' });
  router.use(deps.requireUser(['CPO_OWNER']));
  const importLog = log.child({ component: 'csv-import' });

  defineRoute(router, registry, {
    method: 'post', path: '/csv', tags: ['CPO locations'], security: ['bearerAuth'],
    summary: 'Import locations from a CSV file (multipart/form-data, field `file`); all rows or none. Layout: docs/csv-import.md',
    responses: {
      200: { description: 'Imported; the new locations are pending review', schema: enveloped(z.array(z.unknown()).max(0).describe('always empty')) },
      400: { description: 'Not a CSV upload, or invalid rows: data.errors lists each as {line, column, reason}; nothing was imported', schema: EnvelopedError },
      401: { description: 'Missing or invalid access token', schema: EnvelopedError },
      403: { description: 'Not a CPO owner', schema: EnvelopedError },
      409: { description: 'An EVSE uid was registered meanwhile', schema: EnvelopedError },
    },
  }, async (ctx) => {
    const user = currentUser(ctx);
    if (user.cpoOwnerId === null) throw new AppError('FORBIDDEN', 'this user does not belong to a CPO owner');
    const upload = await readMultipart(ctx, { fileFields: ['file'], maxFiles: 1, maxFileBytes: config.uploads.csvMaxBytes });
    try {
      const file = upload.files[0];
      if (!file) throw new AppError('VALIDATION_FAILED', 'form field file with a .csv file is required');
      if (!/\.csv$/i.test(file.originalName)) throw new AppError('VALIDATION_FAILED', `file must be a .csv file (got ${JSON.stringify(file.originalName)})`);
      const started = Date.now();
      const result = await locationService.importLocationsCsv(db, user.cpoOwnerId, file.path, { mailer, ocppBaseUrl: ocppBaseUrl(config) });
      importLog.info({ cpoOwnerId: user.cpoOwnerId, bytes: file.size, ...result, ms: Date.now() - started }, 'CSV imported');
      ok(ctx, []);
    } finally {
      await upload.cleanup();
    }
  });

  return router;
}
