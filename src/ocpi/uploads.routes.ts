import Router from '@koa/router';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import type { UploadStore } from '../uploads/upload-store.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

export const UPLOADS_PATH = '/uploads';

/** Where a stored file is served: absolute under PUBLIC_URL when set, else a root-relative path. */
export function uploadUrl(config: Config, fileName: string): string {
  return `${(config.publicUrl ?? '').replace(/\/+$/, '')}${UPLOADS_PATH}/${fileName}`;
}

/**
 * GET /uploads/:file — the stored logos and photos, public (they are shown on maps).
 *
 * Only names the store generated are served (`logo|photo-<32 hex>.<png|jpg|webp|gif>`); anything else,
 * `..%2Fetc%2Fpasswd` included, is 404 before the file system is touched. The content type comes from
 * the type detected at upload; `nosniff` and a `default-src 'none'` CSP keep browsers from reading the
 * bytes as anything else. A name is never reused, so files are cacheable for a year (`immutable`), and
 * the ETag (the name) answers revalidations with 304.
 */
export function uploadsRoutes(deps: Pick<OcpiDeps, 'registry'>, store: UploadStore): Router {
  const router = new Router({ prefix: UPLOADS_PATH });

  defineRoute(router, deps.registry, {
    method: 'get', path: '/:file', summary: 'An uploaded logo or location photo', tags: ['CPO: uploads'],
    params: z.object({ file: z.string().openapi({ example: 'photo-0123456789abcdef0123456789abcdef.png' }) }),
    responses: {
      200: { description: 'The image', schema: z.string().openapi({ type: 'string', format: 'binary' }), contentType: 'image/*' },
      304: { description: 'Not modified (If-None-Match)' },
      404: { description: 'No such file' },
    },
  }, async (ctx, { params }) => {
    const file = await store.open(params.file);
    if (!file) throw new AppError('NOT_FOUND', 'no such file');
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'");
    ctx.etag = params.file;
    ctx.lastModified = file.modifiedAt;
    ctx.status = 200;
    if (ctx.fresh) {
      file.stream.destroy();
      ctx.status = 304;
      return;
    }
    ctx.type = file.contentType;
    ctx.length = file.size;
    ctx.body = file.stream;
  });

  return router;
}
