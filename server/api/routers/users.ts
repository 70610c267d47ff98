/**
 * VPN users: the filtered list and one user for viewers (no keys, no subscription URLs); for
 * admins, creating a user, plan changes (switch on/off, extend, limits, traffic reset) one by one or
 * in bulk, revealing a key, refresh and revoke — each audited in the service's transaction. Create
 * and refresh answer where the key is, not the key: seeing it is a reveal.
 */
import { z } from "zod";
import { keyDeps, planDeps } from "@/server/composition/service-deps";
import { bulkInputSchema, bulkUpdatePlans } from "@/server/services/users/bulk-update-plans";
import { createUser } from "@/server/services/users/create-user";
import { getUser, listUsers, listUsersInputSchema } from "@/server/services/users/list-users";
import { TelegramId } from "@/server/services/users/telegram-id";
import { NewPlanFields, PlanPatch } from "@/server/services/plans/plan-input";
import { updateUserPlan } from "@/server/services/plans/update-plan";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { rotateSubscription } from "@/server/services/keys/rotate-subscription";
import { revealUserKey } from "@/server/services/users/reveal-user-key";
import { adminProcedure, router, viewerProcedure } from "../trpc";

export const usersRouter = router({
  search: viewerProcedure.input(listUsersInputSchema).query(({ ctx, input }) => listUsers(planDeps(ctx.app), input)),

  get: viewerProcedure.input(z.object({ telegramId: TelegramId })).query(({ ctx, input }) => getUser(planDeps(ctx.app), input)),

  create: adminProcedure
    .input(
      z.object({
        telegramId: TelegramId,
        username: z.string().trim().max(64).nullable().optional(),
        nodeId: z.uuid().optional(),
        ...NewPlanFields,
      }),
    )
    .mutation(({ ctx, input }) => createUser(planDeps(ctx.app), { ...input, actor: ctx.actor })),

  updatePlan: adminProcedure
    .input(z.object({ telegramId: TelegramId, patch: PlanPatch }))
    .mutation(({ ctx, input }) => updateUserPlan(planDeps(ctx.app), { ...input, actor: ctx.actor })),

  bulk: adminProcedure
    .input(bulkInputSchema)
    .mutation(({ ctx, input }) => bulkUpdatePlans(planDeps(ctx.app), { ...input, actor: ctx.actor })),

  refreshKey: adminProcedure
    .input(z.object({ telegramId: TelegramId }))
    .mutation(async ({ ctx, input }) => {
      const { telegramId, node, createdAt } = await refreshKey(keyDeps(ctx.app), { telegramId: input.telegramId, actor: ctx.actor });
      return { telegramId, node, createdAt };
    }),

  revealKey: adminProcedure
    .input(z.object({ telegramId: TelegramId }))
    .mutation(({ ctx, input }) => revealUserKey(keyDeps(ctx.app), ctx.actor, input)),

  rotateSubscription: adminProcedure
    .input(z.object({ telegramId: TelegramId }))
    .mutation(async ({ ctx, input }) => {
      await rotateSubscription(keyDeps(ctx.app), { telegramId: input.telegramId, actor: ctx.actor });
      return { telegramId: input.telegramId };
    }),

  revokeKey: adminProcedure
    .input(z.object({ telegramId: TelegramId }))
    .mutation(({ ctx, input }) => revokeKey(keyDeps(ctx.app), { telegramId: input.telegramId, actor: ctx.actor })),
});
