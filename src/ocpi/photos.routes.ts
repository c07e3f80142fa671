import Router from '@koa/router';
import * as photoService from '../cpo/location-photo.service.ts';
import { AppError } from '../errors.ts';
import { EnvelopedError, enveloped, ok } from '../http/envelope.ts';
import { z } from '../http/openapi.ts';
import { defineRoute } from '../http/route.ts';
import type { UploadStore } from '../uploads/upload-store.ts';
import { cpoOwnerIdOf } from './accounts.routes.ts';
import { defineMultipartRoute, FilePart, filesOf } from './multipart-route.ts';
import type { OcpiDeps } from './ocpi-deps.ts';
import { uploadUrl } from './uploads.routes.ts';

const Id = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer').transform(Number);
const PhotoIdParam = z.object({ photo_id: Id });
const LocationIdParam = z.object({ location_id: Id });

const Photo = z
  .object({
    id: z.number().int(),
    location_id: z.number().int(),
    url: z.string().describe('Under /uploads'),
    content_type: z.string(),
    size_bytes: z.number().int(),
    date_created: z.string().describe('ISO 8601'),
    date_modified: z.string().describe('ISO 8601'),
  })
  .openapi('LocationPhoto');

const EmptyList = z.array(z.unknown()).max(0).describe('always []');
const errorResponse = (description: string) => ({ description, schema: EnvelopedError });
const authErrors = {
  401: errorResponse('Missing, invalid or expired access token'),
  403: errorResponse('Not a CPO_OWNER user'),
};

/** A form's location_id field: digits only, "form location_id: …" in the message. */
function locationIdField(fields: Record<string, string>): number {
  const value = fields.location_id;
  if (value === undefined) throw new AppError('VALIDATION_FAILED', 'form location_id: is required');
  const parsed = Id.safeParse(value.trim());
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'form location_id: must be a positive integer');
  return parsed.data;
}

/**
 * Location photos under /ocpi/cpo/api/v1 for the CPO's user (Bearer CPO_OWNER). Rules (own locations
 * only, 5 per upload, 20 per location, images only, all or nothing): src/cpo/location-photo.service.ts.
 * Beyond the spec: listing a location's photos (to learn the ids the PATCH needs) and deleting one.
 */
export function photoRoutes(deps: OcpiDeps, store: UploadStore): Router {
  const { db, registry, config } = deps;
  const router = new Router({ prefix: '/ocpi/cpo/api/v1' });
  const cpoOwner = deps.requireUser(['CPO_OWNER']);
  const maxFileBytes = config.uploads.maxBytes;
  defineMultipartRoute(router, registry, {
    method: 'post', path: '/locations/photos/uploads', guard: cpoOwner, summary: 'Upload photos of one of your locations', tags: ['CPO: photos'],
    security: ['bearerAuth'],
    form: z.object({
      location_photos: z.array(FilePart()).min(1).max(photoService.MAX_PHOTOS_PER_REQUEST)
        .describe(`1 to ${photoService.MAX_PHOTOS_PER_REQUEST} PNG, JPEG, WebP or GIF files (repeat the field), each at most UPLOAD_MAX_BYTES`),
      location_id: z.string().describe('Id of one of your locations'),
    }),
    limits: { fileFields: ['location_photos'], maxFiles: photoService.MAX_PHOTOS_PER_REQUEST, maxFileBytes, maxFields: 5 },
    responses: {
      200: { description: 'All photos stored', schema: enveloped(EmptyList) },
      400: errorResponse('No photo, more than five, a file that is not an image, empty or too large, or a bad location_id; nothing is kept'),
      ...authErrors,
      404: errorResponse('No such location among yours'),
      409: errorResponse(`The location would have more than ${photoService.MAX_PHOTOS_PER_LOCATION} photos`),
    },
  }, async (ctx, { form }) => {
    const files = filesOf(form, 'location_photos');
    const locationId = locationIdField(form.fields);
    await photoService.addPhotos(db, store, { cpoOwnerId: cpoOwnerIdOf(ctx), locationId, files });
    ok(ctx, []);
  });
  defineMultipartRoute(router, registry, {
    method: 'patch', path: '/locations/photos/uploads/:photo_id', guard: cpoOwner, summary: 'Replace the image of one of your location photos', tags: ['CPO: photos'],
    security: ['bearerAuth'],
    params: PhotoIdParam,
    form: z.object({ location_photo: FilePart().describe('PNG, JPEG, WebP or GIF, at most UPLOAD_MAX_BYTES') }),
    limits: { fileFields: ['location_photo'], maxFiles: 1, maxFileBytes, maxFields: 5 },
    responses: {
      200: { description: 'Replaced (same photo id, new file; the old file is deleted)', schema: enveloped(EmptyList) },
      400: errorResponse('No location_photo file, more than one, not an image, empty or too large'),
      ...authErrors,
      404: errorResponse('No such photo among your locations'),
    },
  }, async (ctx, { params, form }) => {
    const [file] = filesOf(form, 'location_photo');
    await photoService.replacePhoto(db, store, { cpoOwnerId: cpoOwnerIdOf(ctx), photoId: params.photo_id, file: file! });
    ok(ctx, []);
  });
  defineRoute(router, registry, {
    method: 'delete', path: '/locations/photos/uploads/:photo_id', guard: cpoOwner, summary: 'Delete one of your location photos', tags: ['CPO: photos'],
    security: ['bearerAuth'],
    params: PhotoIdParam,
    responses: {
      200: { description: 'Deleted, file included', schema: enveloped(EmptyList) },
      ...authErrors,
      404: errorResponse('No such photo among your locations'),
    },
  }, async (ctx, { params }) => {
    await photoService.deletePhoto(db, store, { cpoOwnerId: cpoOwnerIdOf(ctx), photoId: params.photo_id });
    ok(ctx, []);
  });
  defineRoute(router, registry, {
    method: 'get', path: '/locations/:location_id/photos', guard: cpoOwner, summary: 'The photos of one of your locations', tags: ['CPO: photos'],
    security: ['bearerAuth'],
    params: LocationIdParam,
    responses: {
      200: { description: 'Oldest first', schema: enveloped(z.array(Photo)) },
      ...authErrors,
      404: errorResponse('No such location among yours'),
    },
  }, async (ctx, { params }) => {
    const photos = await photoService.listPhotos(db, { cpoOwnerId: cpoOwnerIdOf(ctx), locationId: params.location_id });
    ok(
      ctx,
      photos.map((p) => ({
        id: p.id,
        location_id: p.locationId,
        url: uploadUrl(config, p.fileName),
        content_type: p.contentType,
        size_bytes: p.sizeBytes,
        date_created: p.dateCreated.toISOString(),
        date_modified: p.dateModified.toISOString(),
      }) satisfies z.infer<typeof Photo>),
    );
  });

  return router;
}
