/** Health history for the charts, the "is anyone pinging the cron route?" banner, and the thresholds. */
import { z } from "zod";
import { settingsDeps } from "@/server/composition/service-deps";
import { getHealthSeries, getLastSweep, getUptimeSummary, HEALTH_RANGES, type HealthRange } from "@/server/services/health/health-history";
import { getSettings, getSettingsOrigins, settingsPatchSchema, updateSettings } from "@/server/services/settings/settings";
import { ownerProcedure, router, viewerProcedure } from "../trpc";

const nodeIds = z.array(z.uuid()).max(1000).optional();

export const healthRouter = router({
  series: viewerProcedure
    .input(z.object({ range: z.enum(Object.keys(HEALTH_RANGES) as [HealthRange, ...HealthRange[]]), nodeIds }))
    .query(({ ctx, input }) => getHealthSeries(ctx.app.db, { ...input, now: ctx.app.clock.now() })),
  uptime: viewerProcedure.input(z.object({ nodeIds })).query(({ ctx, input }) => getUptimeSummary(ctx.app.db, { ...input, now: ctx.app.clock.now() })),
  lastSweep: viewerProcedure.query(async ({ ctx }) => {
    const settings = await getSettings(ctx.app.db, ctx.app.config.settingsDefaults);
    return getLastSweep(ctx.app.db, { now: ctx.app.clock.now(), intervalSeconds: settings.health.intervalSeconds });
  }),
  settings: viewerProcedure.query(({ ctx }) => getSettings(ctx.app.db, ctx.app.config.settingsDefaults)),
  /** Each threshold's effective value and where it comes from: a saved override, its env variable, or the default. */
  settingsOrigins: viewerProcedure.query(({ ctx }) => getSettingsOrigins(ctx.app.db, ctx.app.config.settingsDefaults, ctx.app.config.setVariables)),
  updateSettings: ownerProcedure
    .input(settingsPatchSchema)
    .mutation(({ ctx, input }) => updateSettings(settingsDeps(ctx.app), ctx.actor, input)),
});
