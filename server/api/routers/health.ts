/** Health history for the charts, the "is anyone pinging the cron route?" banner, and the thresholds. */
import { z } from "zod";
import { getEnv } from "@/server/env";
import { getHealthSeries, getLastSweep, getUptimeSummary, HEALTH_RANGES, type HealthRange } from "@/server/services/health/health-history";
import { getSettings, settingsDefaultsFromEnv, settingsPatchSchema, updateSettings } from "@/server/services/settings/settings";
import { ownerProcedure, router, viewerProcedure } from "../trpc";

const nodeIds = z.array(z.uuid()).max(1000).optional();
const defaults = () => settingsDefaultsFromEnv(getEnv());

export const healthRouter = router({
  series: viewerProcedure
    .input(z.object({ range: z.enum(Object.keys(HEALTH_RANGES) as [HealthRange, ...HealthRange[]]), nodeIds }))
    .query(({ ctx, input }) => getHealthSeries(ctx.db, { ...input, now: new Date() })),
  uptime: viewerProcedure.input(z.object({ nodeIds })).query(({ ctx, input }) => getUptimeSummary(ctx.db, { ...input, now: new Date() })),
  lastSweep: viewerProcedure.query(async ({ ctx }) => {
    const settings = await getSettings(ctx.db, defaults());
    return getLastSweep(ctx.db, { now: new Date(), intervalSeconds: settings.health.intervalSeconds });
  }),
  settings: viewerProcedure.query(({ ctx }) => getSettings(ctx.db, defaults())),
  updateSettings: ownerProcedure
    .input(settingsPatchSchema)
    .mutation(({ ctx, input }) => updateSettings({ db: ctx.db, defaults: defaults() }, ctx.actor, input)),
});
