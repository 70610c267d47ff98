/**
 * The join every users page and every /sub request makes to a user's current key
 * (IS_CURRENT_ASSIGNMENT) reads that user's assignments through an index, never all of them: on a
 * fleet of a million keys a scan made one users page take 3.5 s (npm run bench:dashboard).
 */
import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/server/db/migrate";
import { assignments, vpnUsers } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { IS_CURRENT_ASSIGNMENT } from "./find-user-key";

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
  await test.db.execute(sql`INSERT INTO nodes (name, panel_url, inbound_id) VALUES ('plan-node', 'https://plan.example.com/', 1)`);
  await test.db.execute(sql`
    INSERT INTO vpn_users (telegram_id, username, subscription_token, created_at)
    SELECT 500000 + i, 'plan' || i, md5('plan' || i), now() - i * interval '1 minute' FROM generate_series(1, 20000) AS i`);
  await test.db.execute(sql`
    INSERT INTO assignments (user_id, node_id, inbound_id, client_id, client_email, state, created_at)
    SELECT u.id, (SELECT id FROM nodes), 1, md5(u.id::text), 'plan-' || u.telegram_id, 'active', u.created_at FROM vpn_users u`);
  await test.db.execute(sql`ANALYZE vpn_users`);
  await test.db.execute(sql`ANALYZE assignments`);
});
afterAll(async () => test?.close());

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };
function scansOf(node: PlanNode): string[] {
  const own = node["Node Type"] === "Seq Scan" && node["Relation Name"] ? [node["Relation Name"]] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scansOf)];
}
async function seqScans(query: { getSQL(): ReturnType<typeof sql> }): Promise<string[]> {
  const [row] = rowsOf<{ "QUERY PLAN": [{ Plan: PlanNode }] | string }>(await test.db.execute(sql`EXPLAIN (FORMAT JSON) ${query}`));
  const plan = typeof row!["QUERY PLAN"] === "string" ? JSON.parse(row!["QUERY PLAN"]) : row!["QUERY PLAN"];
  return scansOf(plan[0].Plan);
}
const current = () => test.db.select({ id: vpnUsers.id, nodeId: assignments.nodeId }).from(vpnUsers).leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT));

describe("a user's current key", () => {
  it("is found by index for the users list's newest page", async () => {
    expect(await seqScans(current().orderBy(desc(vpnUsers.createdAt), desc(vpnUsers.id)).limit(25))).not.toContain("assignments");
  });

  it("is found by index for one subscription token", async () => {
    expect(await seqScans(current().where(eq(vpnUsers.subscriptionToken, "no-such-token")))).not.toContain("assignments");
  });
});
