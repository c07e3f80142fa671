import Router from '@koa/router';
import * as cpoService from '../cpo/cpo.service.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import { cpoOwnerIdOf } from './accounts.routes.ts';
import type { OcpiDeps } from './ocpi-deps.ts';

const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });

const SupportBody = z
  .strictObject({
    name: text().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').openapi({ example: 'Demo Charging Co helpdesk' }),
    phone: text()
      .trim()
      .refine(cpoService.isPhoneNumber, `must be a phone number of ${cpoService.PHONE_MIN_DIGITS} to ${cpoService.PHONE_MAX_DIGITS} digits`)
      .openapi({ example: '+63 2 8888 0000' }),
    email: z.email({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be an e-mail address') }).max(254),
    url: z.url({ protocol: /^https?$/, error: () => 'must be an http(s) URL' }).max(500).nullable().optional(),
    hours: text().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').openapi({ example: 'Mon–Sun 06:00–22:00' }),
    channels: z
      .array(z.enum(cpoService.SUPPORT_CHANNELS, { error: () => `must be one of ${cpoService.SUPPORT_CHANNELS.join(', ')}` }))
      .min(1, 'must name at least one channel')
      .refine((c) => new Set(c).size === c.length, 'must not repeat a channel'),
  })
  .refine((b) => !b.channels.includes('web') || Boolean(b.url), { message: 'is required with the web channel', path: ['url'] })
  .openapi('CpoSupport');

const SupportOut = z
  .object({
    name: z.string(),
    phone: z.string(),
    email: z.string(),
    url: z.string().nullable(),
    hours: z.string(),
    channels: z.array(z.enum(cpoService.SUPPORT_CHANNELS)),
  })
  .openapi('CpoSupportDetails');

const out = (s: cpoService.SupportDetails): z.infer<typeof SupportOut> => ({ ...s });

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });
const authErrors = {
  401: errorResponse('Missing, invalid or expired access token'),
  403: errorResponse('Not a CPO_OWNER user'),
};

/**
 * The support details drivers charging at this CPO are shown (order API support endpoint), under
 * /ocpi/cpo/api/v1 (Bearer CPO_OWNER). Until they are set, drivers see the platform's.
 */
export function supportRoutes(deps: OcpiDeps): Router {
  const { db, registry } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/v1' });
  const cpoOwner = deps.requireUser(['CPO_OWNER']);
  const tags = ['CPO: support'];

  defineRoute(router, registry, {
    method: 'get', path: '/support', guard: cpoOwner, summary: 'Your driver-support details', tags, security: ['bearerAuth'],
    responses: { 200: { description: 'The details, or null when none are set (drivers then see the platform’s)', schema: enveloped(SupportOut.nullable()) }, ...authErrors },
  }, async (ctx) => {
    const support = await cpoService.supportFor(db, cpoOwnerIdOf(ctx));
    ok(ctx, support ? out(support) : null);
  });
  defineRoute(router, registry, {
    method: 'put', path: '/support', guard: cpoOwner, summary: 'Set your driver-support details (all fields)', tags, security: ['bearerAuth'],
    body: SupportBody,
    responses: {
      200: { description: 'Saved', schema: enveloped(SupportOut) },
      400: errorResponse('A field is missing or invalid (the message names it); nothing is written'),
      ...authErrors,
    },
  }, async (ctx, { body }) => {
    const saved = await cpoService.setSupport(db, cpoOwnerIdOf(ctx), { ...body, url: body.url ?? null });
    ok(ctx, out(saved));
  });

  return router;
}
