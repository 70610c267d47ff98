/**
 * Fleet operations: the operations log, "what if" planning, what a node's state change would do
 * and the failover hold for viewers; moving users, drain, rebalance, return to service and the
 * notification delivery log for admins; releasing a held failover for one node for owners. Thin
 * over server/services/migration and server/services/notifications; each mutation is audited there.
 */
import { z } from "zod";
import { migrationDeps } from "@/server/composition/service-deps";
import { drainNode, drainNodeInputSchema, nodeIdInputSchema, returnNodeToService, undrainNode } from "@/server/services/migration/drain-node";
import { readFailoverHold, releaseFailoverHold, releaseFailoverHoldInputSchema } from "@/server/services/migration/failover-hold";
import { executeRebalance, getRebalancePlan, rebalanceInputSchema, whatIfNodeDies } from "@/server/services/migration/fleet-plans";
import { getOperation, listOperations, listOperationsInputSchema, operationDetailInputSchema } from "@/server/services/migration/list-operations";
import { migrateUser, migrateUserInputSchema } from "@/server/services/migration/migrate-user";
import { previewNodeChange, previewNodeChangeInputSchema } from "@/server/services/migration/preview-node-change";
import { listDeliveries, retryDelivery } from "@/server/services/notifications/delivery-log";
import { adminProcedure, ownerProcedure, router, viewerProcedure } from "../trpc";

export const operationsRouter = router({
  list: viewerProcedure.input(listOperationsInputSchema).query(({ ctx, input }) => listOperations(ctx.app.db, input)),

  detail: viewerProcedure.input(operationDetailInputSchema).query(({ ctx, input }) => getOperation(ctx.app.db, input)),

  simulateNodeLoss: viewerProcedure.input(nodeIdInputSchema).query(({ ctx, input }) => whatIfNodeDies(ctx.app.db, input)),

  previewNodeChange: viewerProcedure.input(previewNodeChangeInputSchema).query(({ ctx, input }) => previewNodeChange(ctx.app.db, input)),

  rebalancePlan: viewerProcedure.input(rebalanceInputSchema).query(({ ctx, input }) => getRebalancePlan(ctx.app.db, input)),

  rebalanceExecute: adminProcedure.input(rebalanceInputSchema).mutation(({ ctx, input }) => executeRebalance(ctx.app.db, ctx.actor, input)),

  migrateUser: adminProcedure.input(migrateUserInputSchema).mutation(({ ctx, input }) => migrateUser(migrationDeps(ctx.app), ctx.actor, input)),

  drain: adminProcedure.input(drainNodeInputSchema).mutation(({ ctx, input }) => drainNode(migrationDeps(ctx.app), ctx.actor, input)),

  undrain: adminProcedure.input(nodeIdInputSchema).mutation(({ ctx, input }) => undrainNode(ctx.app, ctx.actor, input)),

  failoverHold: viewerProcedure.query(({ ctx }) => readFailoverHold(ctx.app)),

  releaseFailoverHold: ownerProcedure.input(releaseFailoverHoldInputSchema).mutation(({ ctx, input }) => releaseFailoverHold(ctx.app, ctx.actor, input)),

  returnToService: adminProcedure.input(nodeIdInputSchema).mutation(({ ctx, input }) => returnNodeToService(ctx.app, ctx.actor, input)),

  deliveries: adminProcedure
    .input(
      z.object({
        status: z.enum(["pending", "delivered", "failed"]).optional(),
        channel: z.enum(["webhook", "telegram"]).optional(),
        limit: z.number().int().min(1).max(100).default(50),
        beforeId: z.number().int().positive().optional(),
      }),
    )
    .query(({ ctx, input }) => listDeliveries(ctx.app.db, input)),

  retryDelivery: adminProcedure.input(z.object({ id: z.number().int().positive() })).mutation(({ ctx, input }) => retryDelivery(ctx.app.db, ctx.actor, input)),
});
