import type Router from '@koa/router';
import type { Context } from 'koa';
import type { ZodObject, ZodType, z as zod } from 'zod';
import { readMultipart, type MultipartLimits, type MultipartResult, type UploadedFile } from '../http/multipart.ts';
import { z, type OpenAPIRegistry } from '../http/openapi.ts';
import { defineRoute, type RouteSpec } from '../http/route.ts';
import { AppError } from '../errors.ts';

/** An OpenAPI file part of a multipart form. */
export const FilePart = () => z.string().openapi({ type: 'string', format: 'binary' });

export interface MultipartRouteSpec<P extends ZodType> extends Omit<RouteSpec<P, ZodType, ZodType>, 'body' | 'query'> {
  /** The form fields, for the OpenAPI document (file parts: `FilePart()`); the handler reads the body itself. */
  form: ZodObject;
  limits: MultipartLimits;
}

/**
 * defineRoute for a multipart/form-data endpoint: path parameters are validated as usual, the body is
 * streamed to temporary files by readMultipart (limits enforced while reading; removed after the
 * handler, whatever happens), and the document shows the form instead of a JSON body.
 * defineRoute only knows JSON bodies, so the registered operation gets its request body set here.
 */
export function defineMultipartRoute<P extends ZodType = ZodType<unknown>>(
  router: Router,
  registry: OpenAPIRegistry,
  spec: MultipartRouteSpec<P>,
  handler: (ctx: Context, input: { params: zod.infer<P>; form: MultipartResult }) => Promise<void>,
): void {
  const { form: formSchema, limits, ...routeSpec } = spec;
  defineRoute(router, registry, routeSpec, async (ctx, { params }) => {
    const form = await readMultipart(ctx, limits);
    try {
      await handler(ctx, { params, form });
    } finally {
      await form.cleanup();
    }
  });
  const path = `${router.opts.prefix ?? ''}${spec.path}`.replace(/:(\w+)/g, '{$1}');
  const definition = [...registry.definitions].reverse().find((d) => d.type === 'route' && d.route.method === spec.method && d.route.path === path);
  if (definition?.type === 'route') {
    definition.route.request = {
      ...definition.route.request,
      body: { required: true, content: { 'multipart/form-data': { schema: formSchema } } },
    };
  }
}

/** The files sent in `field`, at least one. */
export function filesOf(form: MultipartResult, field: string): UploadedFile[] {
  const files = form.files.filter((f) => f.field === field);
  if (files.length === 0) throw new AppError('VALIDATION_FAILED', `form ${field}: a file is required`);
  return files;
}
