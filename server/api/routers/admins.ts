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
  list: ownerProcedure.query(({ ctx }) => listAdmins({ db: ctx.db })),
  create: ownerProcedure
    .input(z.object({ username: adminUsernameSchema, password: adminPasswordSchema, role: adminRoleSchema }))
    .mutation(({ ctx, input }) => createAdmin({ db: ctx.db }, ctx.actor, input)),
  setRole: ownerProcedure
    .input(z.object({ adminId: z.uuid(), role: adminRoleSchema }))
    .mutation(({ ctx, input }) => setAdminRole({ db: ctx.db }, ctx.actor, input)),
  setDisabled: ownerProcedure
    .input(z.object({ adminId: z.uuid(), isDisabled: z.boolean() }))
    .mutation(({ ctx, input }) => setAdminDisabled({ db: ctx.db }, ctx.actor, input)),
  resetPassword: ownerProcedure
    .input(z.object({ adminId: z.uuid(), password: adminPasswordSchema }))
    .mutation(({ ctx, input }) => resetAdminPassword({ db: ctx.db }, ctx.actor, input)),
});
