/** Read-only data behind the dashboard's overview and node pages, already shaped for the charts. */
import { z } from "zod";
import { appStatsDeps } from "@/server/services/stats/app-stats-deps";
import { getDailyActivity } from "@/server/services/stats/get-daily-activity";
import { getFleetOverview } from "@/server/services/stats/get-fleet-overview";
import { getHealthTimeline } from "@/server/services/stats/get-health-timeline";
import { getLatencySeries } from "@/server/services/stats/get-latency-series";
import { getNodeLoad } from "@/server/services/stats/get-node-load";
import { listEvents, listEventsInputSchema } from "@/server/services/stats/list-events";
import { listNodeRows, listNodeRowsInputSchema } from "@/server/services/stats/list-node-rows";
import { listNodeUsers, listNodeUsersInputSchema } from "@/server/services/stats/list-node-users";
import { listRecentChecks } from "@/server/services/stats/list-recent-checks";
import { timeRangeSchema } from "@/server/services/stats/time-range";
import { router, viewerProcedure } from "../trpc";

const seriesInput = z.object({ range: timeRangeSchema, nodeId: z.uuid().optional() });

export const statsRouter = router({
  overview: viewerProcedure.query(async ({ ctx }) => getFleetOverview(await appStatsDeps(ctx.db))),
  nodeLoad: viewerProcedure.query(({ ctx }) => getNodeLoad({ db: ctx.db })),
  latency: viewerProcedure.input(seriesInput).query(async ({ ctx, input }) => getLatencySeries(await appStatsDeps(ctx.db), input)),
  healthTimeline: viewerProcedure.input(seriesInput).query(async ({ ctx, input }) => getHealthTimeline(await appStatsDeps(ctx.db), input)),
  daily: viewerProcedure.query(async ({ ctx }) => getDailyActivity(await appStatsDeps(ctx.db))),
  events: viewerProcedure.input(listEventsInputSchema).query(({ ctx, input }) => listEvents({ db: ctx.db }, input)),
  nodeRows: viewerProcedure.input(listNodeRowsInputSchema).query(({ ctx, input }) => listNodeRows({ db: ctx.db }, input)),
  nodeUsers: viewerProcedure.input(listNodeUsersInputSchema).query(({ ctx, input }) => listNodeUsers({ db: ctx.db }, input)),
  recentChecks: viewerProcedure.input(z.object({ nodeId: z.uuid() })).query(({ ctx, input }) => listRecentChecks({ db: ctx.db }, input)),
});
