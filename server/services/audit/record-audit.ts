import type { Database } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";
import type { AuditActor } from "../actor";

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

// Fields that must never be copied into the audit trail, whatever object a caller hands in (invariant 4).
const SECRET_KEYS = new Set(["panelSecretEnc", "password", "panelPassword", "apiToken", "panelApiToken", "passwordHash", "secret"]);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.has(k) ? (v == null ? v : "[redacted]") : redact(v)]),
    );
  }
  return value;
}

/**
 * Invariant 9: called with the transaction of the mutation it describes, so the change and its
 * audit row commit or roll back together.
 */
export async function recordAudit(
  tx: Database | Tx,
  actor: AuditActor,
  entry: { action: string; targetType: string; targetId?: string | null; before?: unknown; after?: unknown },
): Promise<void> {
  await tx.insert(auditLog).values({
    actorAdminId: actor.adminId,
    actorName: actor.username,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before === undefined ? null : redact(entry.before),
    after: entry.after === undefined ? null : redact(entry.after),
    ip: actor.ip,
    userAgent: actor.userAgent,
  });
}

export type Transaction = Tx;
