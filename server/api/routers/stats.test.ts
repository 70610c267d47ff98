/**
 * The overview page's cost in round trips: the procedures the page reads (loadOverview), counted
 * statement by statement through the tRPC caller. At fleet scale each of these statements takes well
 * under a millisecond in the database, so the page's time is mostly the trips and their overhead.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { loadOverview } from "../load-overview";
import { createCaller } from "../root";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});

describe("stats router", () => {
  it("answers the overview page in 15 statements (21 before the KPI cards, the timeline, the daily charts and the expiring list each became one)", async () => {
    const viewer = await createTestActor(test.db, "viewer");
    const [healthy] = await test.db
      .insert(schema.nodes)
      .values([
        { name: "up", panelUrl: "http://127.0.0.1:1/up/", inboundId: 1, healthState: "healthy" },
        // Never decided: its timeline row is drawn from its checks, one more read.
        { name: "new", panelUrl: "http://127.0.0.1:1/new/", inboundId: 1, healthState: "unknown" },
      ])
      .returning();
    await test.db.insert(schema.events).values({ kind: "node.up", severity: "info", nodeId: healthy!.id, message: "up", data: { from: "unhealthy", to: "healthy" } });

    const statements: string[] = [];
    const client = postgres(test.url, { max: 8, onnotice: () => {} });
    try {
      const counted = drizzle(client, { schema, casing: "snake_case", logger: { logQuery: (query) => statements.push(query) } }) as unknown as Database;
      const api = createCaller({ app: createTestAppContext(counted), actor: viewer });
      const { overview, timeline, daily } = await loadOverview(api);
      expect(overview.nodes).toMatchObject({ total: 2, healthy: 1, unknown: 1 });
      expect(timeline.rows.map((r) => r.node).sort()).toEqual(["new", "up"]);
      expect(daily.keys).toHaveLength(30);
      // overview 2 (settings, one aggregate), nodeLoad 1, latency 2 (the nodes shown, their series),
      // healthTimeline 2 (nodes with their transitions, the undecided node's checks), daily 1,
      // events 2 (page, total), traffic 1, trafficOverview 4 (settings, online, top users, expiring with their total).
      expect(statements, statements.map((s) => s.replace(/\s+/g, " ").slice(0, 90)).join(" || ")).toHaveLength(15);
    } finally {
      await client.end();
    }
  });
});
