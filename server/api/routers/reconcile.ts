/** Reconcile on demand (admins): one node or the whole fleet, within the cron's time budget. */
import { z } from "zod";
import { reconcileDeps } from "@/server/composition/service-deps";
import { reconcileOnDemand } from "@/server/services/reconcile/reconcile-on-demand";
import { adminProcedure, router } from "../trpc";

export const reconcileRouter = router({
  run: adminProcedure
    .input(z.object({ nodeId: z.uuid().optional() }))
    .mutation(({ ctx, input }) => reconcileOnDemand(reconcileDeps(ctx.app), ctx.actor, { nodeId: input.nodeId, budgetMs: ctx.app.config.cron.budgetMs })),
});
