/** Read-only data behind the dashboard's overview and node pages, already shaped for the charts. */
import { z } from "zod";
import { overviewDeps, statsDeps } from "@/server/composition/service-deps";
import { getDailyActivity } from "@/server/services/stats/get-daily-activity";
import { getFleetOverview } from "@/server/services/stats/get-fleet-overview";
import { getHealthTimeline } from "@/server/services/stats/get-health-timeline";
import { getLatencySeries } from "@/server/services/stats/get-latency-series";
import { getNodeLoad } from "@/server/services/stats/get-node-load";
import { getTrafficOverview } from "@/server/services/stats/get-traffic-overview";
import { getTrafficSeries } from "@/server/services/stats/get-traffic-series";
import { listEvents, listEventsInputSchema } from "@/server/services/stats/list-events";
import { listNodeRows, listNodeRowsInputSchema } from "@/server/services/stats/list-node-rows";
import { listNodeUsers, listNodeUsersInputSchema } from "@/server/services/stats/list-node-users";
import { listRecentChecks } from "@/server/services/stats/list-recent-checks";
import { timeRangeSchema } from "@/server/services/stats/time-range";
import { TelegramId } from "@/server/services/users/telegram-id";
import { router, viewerProcedure } from "../trpc";

const seriesInput = z.object({ range: timeRangeSchema, nodeId: z.uuid().optional() });

export const statsRouter = router({
  overview: viewerProcedure.query(async ({ ctx }) => getFleetOverview(await overviewDeps(ctx.app))),
  nodeLoad: viewerProcedure.query(({ ctx }) => getNodeLoad(ctx.app)),
  latency: viewerProcedure.input(seriesInput).query(({ ctx, input }) => getLatencySeries(statsDeps(ctx.app), input)),
  healthTimeline: viewerProcedure.input(seriesInput).query(({ ctx, input }) => getHealthTimeline(statsDeps(ctx.app), input)),
  daily: viewerProcedure.query(({ ctx }) => getDailyActivity(statsDeps(ctx.app))),
  events: viewerProcedure.input(listEventsInputSchema).query(({ ctx, input }) => listEvents(ctx.app, input)),
  nodeRows: viewerProcedure.input(listNodeRowsInputSchema).query(({ ctx, input }) => listNodeRows(ctx.app, input)),
  nodeUsers: viewerProcedure.input(listNodeUsersInputSchema).query(({ ctx, input }) => listNodeUsers(ctx.app, input)),
  /** Fleet throughput, or one node's or one user's traffic, from the ledger's hourly roll-ups. */
  traffic: viewerProcedure
    .input(z.object({ range: timeRangeSchema, nodeId: z.uuid().optional(), telegramId: TelegramId.optional() }))
    .query(({ ctx, input }) => getTrafficSeries(statsDeps(ctx.app), input)),
  trafficOverview: viewerProcedure.query(async ({ ctx }) =>
    getTrafficOverview({ ...(await overviewDeps(ctx.app)), expiringDays: ctx.app.config.plans.expiringDays }),
  ),
  recentChecks: viewerProcedure.input(z.object({ nodeId: z.uuid() })).query(({ ctx, input }) => listRecentChecks(ctx.app, input)),
});
