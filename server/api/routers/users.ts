/** VPN users: the searchable list for viewers; key refresh and revoke for admins (audited in the services). */
import { z } from "zod";
import { keyDeps } from "@/server/composition/service-deps";
import { listUsers } from "@/server/services/users/list-users";
import { TelegramId } from "@/server/services/users/telegram-id";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { rotateSubscription } from "@/server/services/keys/rotate-subscription";
import { adminProcedure, router, viewerProcedure } from "../trpc";

export const usersRouter = router({
  search: viewerProcedure
    .input(z.object({ query: z.string().max(64).optional(), page: z.number().int().min(1).default(1), pageSize: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) => listUsers(keyDeps(ctx.app), input)),

  refreshKey: adminProcedure
    .input(z.object({ telegramId: TelegramId }))
    .mutation(({ ctx, input }) => refreshKey(keyDeps(ctx.app), { telegramId: input.telegramId, actor: ctx.actor })),

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
