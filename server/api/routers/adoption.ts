/** Adopting a node's existing clients (admins): a preview that changes nothing, then the apply. */
import { adoptionDeps } from "@/server/composition/service-deps";
import { applyAdoption, applyAdoptionInputSchema } from "@/server/services/adoption/apply-adoption";
import { adoptionInputSchema, previewAdoption } from "@/server/services/adoption/preview-adoption";
import { adminProcedure, router } from "../trpc";

export const adoptionRouter = router({
  // A mutation although it writes nothing: it reads the panel on demand, with a rule that may carry a CSV.
  preview: adminProcedure.input(adoptionInputSchema).mutation(({ ctx, input }) => previewAdoption(adoptionDeps(ctx.app), input)),
  adopt: adminProcedure.input(applyAdoptionInputSchema).mutation(({ ctx, input }) => applyAdoption(adoptionDeps(ctx.app), ctx.actor, input)),
});
