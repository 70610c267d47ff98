import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { getNodeLoad, groupNodeLoad, NODE_LOAD_LIMIT } from "./get-node-load";

const row = (i: number, users: number, capacity = 100) => ({ nodeId: `id-${i}`, node: `node-${i}`, users, capacity });

describe("groupNodeLoad", () => {
  it("shows the busiest nodes of a 50-node fleet and adds the other 35 up into one group", () => {
    const fleet = Array.from({ length: 50 }, (_, i) => row(i, 100 - i));
    const top = fleet.slice(0, NODE_LOAD_LIMIT);
    const grouped = groupNodeLoad(top, { nodes: 50, users: fleet.reduce((s, r) => s + r.users, 0), capacity: 5_000 });
    expect(NODE_LOAD_LIMIT).toBe(15);
    expect(grouped.nodes).toEqual(top);
    expect(grouped.totalNodes).toBe(50);
    // Nodes 15..49 hold 85 + 84 + … + 51 users.
    expect(grouped.others).toEqual({ nodes: 35, users: (85 + 51) * 35 / 2, capacity: 3_500 });
    const shownUsers = grouped.nodes.reduce((s, r) => s + r.users, 0);
    expect(shownUsers + grouped.others!.users).toBe(fleet.reduce((s, r) => s + r.users, 0));
  });

  it("has no group when every node is shown (14 nodes)", () => {
    const fleet = Array.from({ length: 14 }, (_, i) => row(i, i));
    expect(groupNodeLoad(fleet, { nodes: 14, users: 91, capacity: 1_400 })).toEqual({ nodes: fleet, others: null, totalNodes: 14 });
  });

  it("is empty for a fleet with no enabled node", () => {
    expect(groupNodeLoad([], { nodes: 0, users: 0, capacity: 0 })).toEqual({ nodes: [], others: null, totalNodes: 0 });
  });
});

describe("getNodeLoad", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => test.close());

  it("reads the busiest enabled nodes and the rest of the fleet's users and capacity from the database", async () => {
    // 20 enabled nodes, node-i holding i users of 40, and a disabled one that counts nowhere.
    await test.db.insert(nodes).values([
      ...Array.from({ length: 20 }, (_, i) => ({ name: `node-${i}`, panelUrl: `http://127.0.0.1:1/n${i}/`, inboundId: 1, maxUsers: 40, reservedCount: i })),
      { name: "off", panelUrl: "http://127.0.0.1:1/off/", inboundId: 1, maxUsers: 500, reservedCount: 400, adminState: "disabled" as const },
    ]);
    const load = await getNodeLoad({ db: test.db });
    expect(load.nodes.map((n) => n.node)).toEqual(Array.from({ length: NODE_LOAD_LIMIT }, (_, i) => `node-${19 - i}`));
    expect(load.others).toEqual({ nodes: 5, users: 0 + 1 + 2 + 3 + 4, capacity: 200 });
    expect(load.totalNodes).toBe(20);
  });
});
