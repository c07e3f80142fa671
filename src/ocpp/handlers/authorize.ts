import * as idTagService from '../../id-tags/id-tag.service.ts';
import type { OcppHandler } from '../context.ts';
import { toIdTagInfo } from '../id-tag-info.ts';

export const authorize: OcppHandler<'Authorize'> = async (ctx, req) => {
  const verdict = await idTagService.authorize(ctx.db, req.idTag, ctx.now());
  return { idTagInfo: toIdTagInfo(verdict) };
};
