import type { OcppHandler } from '../context.ts';

export const heartbeat: OcppHandler<'Heartbeat'> = async (ctx) => {
  const now = ctx.now();
  await ctx.ingest.touch(ctx.chargePointId, now);
  return { currentTime: now.toISOString() };
};
