/** Reconcile on demand (admins): one node or the whole fleet, within the cron's time budget. */
import { z } from "zod";
import { getEnv } from "@/server/env";
import { appReconcileDeps } from "@/server/services/reconcile/app-reconcile-deps";
import { reconcileOnDemand } from "@/server/services/reconcile/reconcile-on-demand";
import { adminProcedure, router } from "../trpc";

export const reconcileRouter = router({
  run: adminProcedure
    .input(z.object({ nodeId: z.uuid().optional() }))
    .mutation(({ ctx, input }) => reconcileOnDemand(appReconcileDeps(ctx.db), ctx.actor, { nodeId: input.nodeId, budgetMs: getEnv().CRON_BUDGET_MS })),
});
