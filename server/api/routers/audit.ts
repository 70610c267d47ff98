import { listAudit, listAuditFacets, listAuditInputSchema } from "@/server/services/audit/list-audit";
import { router, viewerProcedure } from "../trpc";

export const auditRouter = router({
  list: viewerProcedure.input(listAuditInputSchema).query(({ ctx, input }) => listAudit(ctx.app, input)),
  facets: viewerProcedure.query(({ ctx }) => listAuditFacets(ctx.app)),
});
