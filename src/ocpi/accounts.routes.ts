import Router from '@koa/router';
import type { Context } from 'koa';
import * as cpoService from '../cpo/cpo.service.ts';
import { AppError } from '../errors.ts';
import { currentUser } from '../http/auth.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import type { UploadStore } from '../uploads/upload-store.ts';
import { USERNAME_PATTERN } from '../users/user.service.ts';
import { defineMultipartRoute, FilePart, filesOf } from './multipart-route.ts';
import type { OcpiDeps } from './ocpi-deps.ts';
import { uploadUrl } from './uploads.routes.ts';

/** "body contact_email: is required" rather than zod's "expected string, received undefined". */
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') });
const name = () => text().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

const RegisterBody = z
  .strictObject({
    username: text().regex(USERNAME_PATTERN, 'must be 3 to 64 characters of letters, digits and . _ - @'),
    cpo_owner_name: name(),
    contact_name: name(),
    contact_number: text()
      .trim()
      .refine(cpoService.isPhoneNumber, `must be a phone number of ${cpoService.PHONE_MIN_DIGITS} to ${cpoService.PHONE_MAX_DIGITS} digits`)
      .openapi({ example: '09123456782' }),
    contact_email: z
      .email({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be an e-mail address') })
      .max(254, 'must be at most 254 characters'),
    ocpp_ready: z.boolean({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be true or false') }),
    logo: z
      .string({ error: () => 'must be a string' })
      .max(300)
      .nullable()
      .optional()
      .openapi({ description: 'File name answered (in `Location`) by POST /ocpi/cpo/2.2/cpo/upload', example: 'logo-0123456789abcdef0123456789abcdef.png' }),
    country_code: z
      .string({ error: () => 'must be a string' })
      .regex(/^[A-Za-z]{2}$/, 'must be two letters')
      .optional()
      .openapi({ description: `ISO 3166-1 alpha-2; default ${cpoService.DEFAULT_COUNTRY_CODE}` }),
    party_id: z
      .string({ error: () => 'must be a string' })
      .regex(/^[A-Za-z0-9]{3}$/, 'must be three letters or digits')
      .optional()
      .openapi({ description: 'Default: derived from cpo_owner_name (Solarius → SOL, then SO2…)' }),
  })
  .openapi('CpoRegistration');

const LogoBody = z
  .strictObject({
    logo: text().min(1, 'must not be empty').max(300).openapi({ example: 'logo-0123456789abcdef0123456789abcdef.png' }),
  })
  .openapi('CpoLogo');

const Details = z
  .object({
    party_id: z.string(),
    cpo_owner_name: z.string(),
    contact_name: z.string().nullable(),
    contact_number: z.string().nullable(),
    contact_email: z.string().nullable(),
    logo: z.string().nullable().describe('URL of the logo under /uploads'),
  })
  .openapi('CpoDetails');

const EmptyList = z.array(z.unknown()).max(0).describe('always []');

const errorResponse = (description: string) => ({ description, schema: EnvelopedError });

/** The CPO's own id from its access token; a user of another kind never reaches here (requireUser). */
export function cpoOwnerIdOf(ctx: Context): number {
  const { cpoOwnerId } = currentUser(ctx);
  if (cpoOwnerId === null) throw new AppError('FORBIDDEN', 'this account does not belong to a CPO');
  return cpoOwnerId;
}

/**
 * CPO accounts under /ocpi/cpo/2.2: registration and logo upload (API client, Basic), logo change and
 * details (the CPO's user, Bearer). Rules and the logo flow: src/cpo/cpo.service.ts.
 */
export function accountRoutes(deps: OcpiDeps, store: UploadStore): Router {
  const { db, registry, config } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/2.2' });
  const serviceDeps = { mailer: deps.mailer, store, log: deps.log.child({ component: 'cpo-accounts' }) };
  const cpoOwner = deps.requireUser(['CPO_OWNER']);

  defineRoute(router, registry, {
    method: 'post', path: '/register', guard: deps.requireApiClient, summary: 'Register a charge point operator', tags: ['CPO: accounts'],
    security: ['basicAuth'],
    body: RegisterBody,
    responses: {
      200: { description: 'Registered; the one-time password and token C are mailed to contact_email', schema: enveloped(z.literal('SUCCESS')) },
      400: errorResponse('A field is missing or invalid (the message names it), or logo is not an uploaded logo'),
      401: errorResponse('Missing, invalid or revoked API client credentials'),
      409: errorResponse('Username taken, party id taken, or the logo belongs to another CPO'),
    },
  }, async (ctx, { body }) => {
    await cpoService.register(db, serviceDeps, {
      username: body.username,
      cpoOwnerName: body.cpo_owner_name,
      contactName: body.contact_name,
      contactNumber: body.contact_number,
      contactEmail: body.contact_email,
      ocppReady: body.ocpp_ready,
      logo: body.logo,
      countryCode: body.country_code,
      partyId: body.party_id,
    });
    ok(ctx, 'SUCCESS');
  });
  defineMultipartRoute(router, registry, {
    method: 'post', path: '/cpo/upload', guard: deps.requireApiClient, summary: 'Upload a CPO logo (then name it in register or the logo PATCH)', tags: ['CPO: accounts'],
    security: ['basicAuth'],
    form: z.object({ cpo_logo: FilePart().describe('PNG, JPEG, WebP or GIF; at most UPLOAD_MAX_BYTES') }),
    limits: { fileFields: ['cpo_logo'], maxFiles: 1, maxFileBytes: config.uploads.maxBytes, maxFields: 5 },
    responses: {
      200: { description: 'Stored; the `Location` header is /uploads/<file name>, the name to give as `logo`', schema: enveloped(EmptyList) },
      400: errorResponse('No cpo_logo file, more than one, not an image, empty or too large'),
      401: errorResponse('Missing, invalid or revoked API client credentials'),
    },
  }, async (ctx, { form }) => {
    const [file] = filesOf(form, 'cpo_logo');
    const stored = await cpoService.storeLogo(store, file!);
    ctx.set('Location', uploadUrl(config, stored.fileName));
    ok(ctx, []);
  });
  defineRoute(router, registry, {
    method: 'patch', path: '/cpo/logo/upload', guard: cpoOwner, summary: "Set the logged-in CPO's logo to an uploaded logo", tags: ['CPO: accounts'],
    security: ['bearerAuth'],
    body: LogoBody,
    responses: {
      200: { description: 'Logo set (the previous logo file is deleted)', schema: enveloped(EmptyList) },
      400: errorResponse('logo is not a file uploaded with POST /ocpi/cpo/2.2/cpo/upload'),
      401: errorResponse('Missing, invalid or expired access token'),
      403: errorResponse('Not a CPO_OWNER user'),
      409: errorResponse('The logo belongs to another CPO'),
    },
  }, async (ctx, { body }) => {
    await cpoService.setLogo(db, serviceDeps, cpoOwnerIdOf(ctx), body.logo);
    ok(ctx, []);
  });
  defineRoute(router, registry, {
    method: 'get', path: '/details', guard: cpoOwner, summary: "The logged-in CPO's details", tags: ['CPO: accounts'],
    security: ['bearerAuth'],
    responses: {
      200: { description: 'The CPO', schema: enveloped(Details) },
      401: errorResponse('Missing, invalid or expired access token'),
      403: errorResponse('Not a CPO_OWNER user'),
    },
  }, async (ctx) => {
    const owner = await cpoService.getDetails(db, cpoOwnerIdOf(ctx));
    ok(ctx, {
      party_id: owner.partyId,
      cpo_owner_name: owner.name,
      contact_name: owner.contactName,
      contact_number: owner.contactNumber,
      contact_email: owner.contactEmail,
      logo: owner.logo ? uploadUrl(config, owner.logo) : null,
    } satisfies z.infer<typeof Details>);
  });

  return router;
}
