import { z } from "zod";
import {
  adminPasswordSchema,
  adminRoleSchema,
  adminUsernameSchema,
  createAdmin,
  listAdmins,
  resetAdminPassword,
  setAdminDisabled,
  setAdminRole,
} from "@/server/services/admins/manage-admins";
import { ownerProcedure, router, viewerProcedure } from "../trpc";

export const adminsRouter = router({
  me: viewerProcedure.query(({ ctx }) => ({ id: ctx.actor.adminId, username: ctx.actor.username, role: ctx.actor.role })),
  list: ownerProcedure.query(({ ctx }) => listAdmins(ctx.app)),
  create: ownerProcedure
    .input(z.object({ username: adminUsernameSchema, password: adminPasswordSchema, role: adminRoleSchema }))
    .mutation(({ ctx, input }) => createAdmin(ctx.app, ctx.actor, input)),
  setRole: ownerProcedure
    .input(z.object({ adminId: z.uuid(), role: adminRoleSchema }))
    .mutation(({ ctx, input }) => setAdminRole(ctx.app, ctx.actor, input)),
  setDisabled: ownerProcedure
    .input(z.object({ adminId: z.uuid(), isDisabled: z.boolean() }))
    .mutation(({ ctx, input }) => setAdminDisabled(ctx.app, ctx.actor, input)),
  resetPassword: ownerProcedure
    .input(z.object({ adminId: z.uuid(), password: adminPasswordSchema }))
    .mutation(({ ctx, input }) => resetAdminPassword(ctx.app, ctx.actor, input)),
});
