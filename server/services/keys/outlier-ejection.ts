/**
 * Outlier ejection, after Envoy's: a node whose panel timed out or failed on a write is skipped by
 * new placements for a cool-off that doubles with each ejection in a row (10 s, 20 s, … up to
 * 5 min) and ends early with the next write that succeeds there. The state lives on the node row,
 * so every replica skips the node at once: a hanging panel costs one request its timeout, not every
 * request until the health sweep's fall threshold marks it down. Ejection never moves anyone —
 * failover stays the health sweep's decision.
 */
import { eq, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";
import { isPanelError } from "@/server/x3ui/types";

export type EjectionOptions = { baseMs?: number; maxMs?: number };

const DEFAULT_BASE_MS = 10_000;
const DEFAULT_MAX_MS = 300_000;

/** Failures that say something about the node: not a refusal of this one client (duplicate, not found). */
export function isNodeFailure(error: unknown): boolean {
  return isPanelError(error) && error.kind !== "duplicate" && error.kind !== "not_found";
}

export async function ejectNode(db: Database | Transaction, nodeId: string, options: EjectionOptions = {}): Promise<void> {
  const baseSeconds = (options.baseMs ?? DEFAULT_BASE_MS) / 1000;
  const maxSeconds = (options.maxMs ?? DEFAULT_MAX_MS) / 1000;
  await db
    .update(nodes)
    .set({
      ejections: sql`${nodes.ejections} + 1`,
      ejectedUntil: sql`now() + make_interval(secs => least(${maxSeconds}::float8, ${baseSeconds}::float8 * power(2, least(${nodes.ejections}, 20))))`,
    })
    .where(eq(nodes.id, nodeId));
}

/** The column values that end an ejection: a write there just succeeded. */
export const EJECTION_CLEARED = { ejections: 0, ejectedUntil: null } as const;

/** Inside a statement: the node takes new placements as far as ejection goes. */
export const isNotEjected: SQL = sql`(${nodes.ejectedUntil} IS NULL OR ${nodes.ejectedUntil} <= now())`;
