/**
 * The audit trail for the Audit page: newest first, paginated and filtered on the server (by
 * action, actor, target and time), so it stays fast however long the trail grows.
 */
import { and, count, desc, eq, gte, ilike, lt } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { escapeLike } from "@/server/db/escape-like";
import { auditLog } from "@/server/db/schema";
import { pageFields, readPage, type Page } from "../paging";

export const listAuditInputSchema = z.object({
  ...pageFields(25),
  /** An exact action ("node.delete") or a domain prefix ending in a dot ("node."). */
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  targetType: z.string().trim().max(50).optional(),
  targetId: z.string().trim().max(200).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
});

export type ListAuditInput = z.input<typeof listAuditInputSchema>;

export type AuditRow = {
  id: number;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
  createdAt: Date;
};

export async function listAudit(
  deps: { db: Database },
  input: ListAuditInput,
): Promise<Page<AuditRow>> {
  const { action, actor, targetType, targetId, from, to, ...page } = listAuditInputSchema.parse(input);
  // and() drops the undefined conditions, and is undefined when none is left.
  const where = and(
    action ? (action.endsWith(".") ? ilike(auditLog.action, `${escapeLike(action)}%`) : eq(auditLog.action, action)) : undefined,
    actor ? ilike(auditLog.actorName, `%${escapeLike(actor)}%`) : undefined,
    targetType ? eq(auditLog.targetType, targetType) : undefined,
    targetId ? eq(auditLog.targetId, targetId) : undefined,
    from ? gte(auditLog.createdAt, from) : undefined,
    to ? lt(auditLog.createdAt, to) : undefined,
  );
  return readPage(
    page,
    ({ limit, offset }) =>
      deps.db
        .select({
          id: auditLog.id,
          actorName: auditLog.actorName,
          action: auditLog.action,
          targetType: auditLog.targetType,
          targetId: auditLog.targetId,
          before: auditLog.before,
          after: auditLog.after,
          ip: auditLog.ip,
          createdAt: auditLog.createdAt,
        })
        .from(auditLog)
        .where(where)
        .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
        .limit(limit)
        .offset(offset),
    deps.db.select({ n: count() }).from(auditLog).where(where),
  );
}

/** The distinct actions and target types, for the filter pickers. */
export async function listAuditFacets(deps: { db: Database }): Promise<{ actions: string[]; targetTypes: string[] }> {
  const [actions, targetTypes] = await Promise.all([
    deps.db.selectDistinct({ v: auditLog.action }).from(auditLog).orderBy(auditLog.action),
    deps.db.selectDistinct({ v: auditLog.targetType }).from(auditLog).orderBy(auditLog.targetType),
  ]);
  return { actions: actions.map((a) => a.v), targetTypes: targetTypes.map((t) => t.v) };
}
