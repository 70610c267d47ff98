/**
 * The signed-in admin's own account, for every role: password change (the current one required;
 * other sessions end), two-factor enrolment and removal, and — for owners — requiring two-factor
 * of everyone. These stay open to an admin who must still enrol (trpc.ts).
 */
import { z } from "zod";
import { adminDeps } from "@/server/composition/service-deps";
import { adminPasswordSchema, changeOwnPassword } from "@/server/services/admins/manage-admins";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp, isTotpRequired, setTwoFactorRequired, twoFactorStatus } from "@/server/services/admins/two-factor";
import { ownerProcedure, router, viewerProcedure } from "../trpc";

export const accountRouter = router({
  twoFactor: viewerProcedure.query(async ({ ctx }) => ({
    ...(await twoFactorStatus(ctx.app, ctx.actor)),
    isRequired: await isTotpRequired(ctx.app.db),
  })),

  changePassword: viewerProcedure
    .input(z.object({ currentPassword: z.string().min(1).max(256), newPassword: adminPasswordSchema }))
    .mutation(({ ctx, input }) => changeOwnPassword(ctx.app, ctx.actor, input)),

  beginTotp: viewerProcedure.mutation(({ ctx }) => beginTotpEnrolment(adminDeps(ctx.app), ctx.actor)),

  confirmTotp: viewerProcedure
    .input(z.object({ code: z.string().trim().refine((code) => /^\d{6}$/.test(code), "admin.field.totpDigits") }))
    .mutation(({ ctx, input }) => confirmTotpEnrolment(adminDeps(ctx.app), ctx.actor, input)),

  disableTotp: viewerProcedure
    .input(z.object({ password: z.string().min(1).max(256) }))
    .mutation(async ({ ctx, input }) => disableTotp({ ...adminDeps(ctx.app), isRequired: await isTotpRequired(ctx.app.db) }, ctx.actor, input)),

  setTwoFactorRequired: ownerProcedure
    .input(z.object({ isRequired: z.boolean() }))
    .mutation(({ ctx, input }) => setTwoFactorRequired(ctx.app, ctx.actor, input)),
});
