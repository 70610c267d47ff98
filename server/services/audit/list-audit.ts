/**
 * The audit trail for the Audit page: newest first, paginated and filtered on the server (by
 * action, actor, target and time), so it stays fast however long the trail grows.
 */
import { and, count, desc, eq, gte, ilike, lt, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";

export const listAuditInputSchema = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
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

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listAudit(
  deps: { db: Database },
  input: ListAuditInput,
): Promise<{ items: AuditRow[]; total: number; page: number; pageSize: number }> {
  const { page, pageSize, action, actor, targetType, targetId, from, to } = listAuditInputSchema.parse(input);
  const filters: SQL[] = [];
  if (action) filters.push(action.endsWith(".") ? ilike(auditLog.action, `${escapeLike(action)}%`) : eq(auditLog.action, action));
  if (actor) filters.push(ilike(auditLog.actorName, `%${escapeLike(actor)}%`));
  if (targetType) filters.push(eq(auditLog.targetType, targetType));
  if (targetId) filters.push(eq(auditLog.targetId, targetId));
  if (from) filters.push(gte(auditLog.createdAt, from));
  if (to) filters.push(lt(auditLog.createdAt, to));
  const where = filters.length ? and(...filters) : undefined;
  const [items, totals] = await Promise.all([
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
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    deps.db.select({ n: count() }).from(auditLog).where(where),
  ]);
  return { items, total: totals[0]?.n ?? 0, page, pageSize };
}

/** The distinct actions and target types, for the filter pickers. */
export async function listAuditFacets(deps: { db: Database }): Promise<{ actions: string[]; targetTypes: string[] }> {
  const [actions, targetTypes] = await Promise.all([
    deps.db.selectDistinct({ v: auditLog.action }).from(auditLog).orderBy(auditLog.action),
    deps.db.selectDistinct({ v: auditLog.targetType }).from(auditLog).orderBy(auditLog.targetType),
  ]);
  return { actions: actions.map((a) => a.v), targetTypes: targetTypes.map((t) => t.v) };
}
