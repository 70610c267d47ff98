import { asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { nodes, type Node } from "@/server/db/schema";
import type { KeyRing } from "@/server/crypto/secret-box";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Transaction } from "../audit/record-audit";
import { toNodeView, type NodeView } from "./node-view";

export async function listNodes(deps: { db: Database; keyRing: KeyRing }): Promise<NodeView[]> {
  const rows = await deps.db.select().from(nodes).orderBy(asc(nodes.name));
  return rows.map((node) => toNodeView(node, deps.keyRing));
}

export async function getNode(deps: { db: Database; keyRing: KeyRing }, input: { id: string }): Promise<NodeView> {
  return toNodeView(await findNodeOrThrow(deps.db, input.id), deps.keyRing);
}

/** The node row (server-side only), optionally locked for the rest of the transaction. */
export async function findNodeOrThrow(db: Database | Transaction, id: string, options: { forUpdate?: boolean } = {}): Promise<Node> {
  const query = db.select().from(nodes).where(eq(nodes.id, id));
  const [node] = options.forUpdate ? await query.for("update") : await query;
  if (!node) throw new AppError("NOT_FOUND", ref("error.node.notFound"));
  return node;
}

/** A node's id by its name, compared as names are kept unique: ignoring case. */
export async function findNodeIdByName(db: Database, name: string): Promise<string | null> {
  const [node] = await db.select({ id: nodes.id }).from(nodes).where(eq(sql`lower(${nodes.name})`, name.trim().toLowerCase()));
  return node?.id ?? null;
}
