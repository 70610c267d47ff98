import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, nodes } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { cliActor } from "../actor";
import { importNodes } from "./import-nodes";
import { readPanelSecret } from "./panel-for-node";
import { testNodeDeps } from "@/server/testing/simulated-nodes";

let test: TestDatabase;
let deps: ReturnType<typeof testNodeDeps>;
const actor = cliActor("nodes:import");

const FILE = `
nodes:
  - name: fra-1
    location: Frankfurt
    x3ui_url: https://fra.example.com:2053/x7Kq2/
    x3ui_username: admin
    x3ui_password: fra-password
    inbound_id: 1
    public_host: fra.vpn.example.com
    priority: 100
    weight: 2
    max_users: 500
  - name: ams-1
    x3ui_url: https://ams.example.com/
    x3ui_token: ams-token
    inbound_id: 3
`;

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

beforeAll(async () => {
  test = await createTestDatabase();
  deps = { ...testNodeDeps(test.db), addressPolicy: { allowPrivate: false, resolve: async () => ["93.184.216.34"] } };
});
afterAll(async () => test?.close());
beforeEach(async () => {
  await test.db.delete(nodes);
});

describe("importNodes", () => {
  it("creates nodes, then updates by name and reports what changed", async () => {
    expect(await importNodes(deps, actor, { yaml: FILE })).toEqual({ created: ["fra-1", "ams-1"], updated: [], unchanged: [] });
    const rows = await test.db.select().from(nodes).orderBy(asc(nodes.name));
    expect(rows.map((r) => [r.name, r.inboundId, r.weight, r.maxUsers])).toEqual([
      ["ams-1", 3, 1, 100],
      ["fra-1", 1, 2, 500],
    ]);
    expect(readPanelSecret(deps.keyRing, rows[1]!)).toEqual({ password: "fra-password" });

    const edited = FILE.replace("weight: 2", "weight: 3").replace("name: ams-1", "name: AMS-1");
    expect(await importNodes(deps, actor, { yaml: edited })).toEqual({
      created: [],
      // Names match ignoring case: AMS-1 renames ams-1 instead of adding a node.
      updated: [
        { name: "fra-1", fields: ["weight"] },
        { name: "AMS-1", fields: ["name"] },
      ],
      unchanged: [],
    });
    expect(await importNodes(deps, actor, { yaml: edited })).toEqual({ created: [], updated: [], unchanged: ["fra-1", "AMS-1"] });
    const audits = await test.db.select().from(auditLog).where(eq(auditLog.actorName, "cli:nodes:import"));
    expect(audits.map((a) => a.action)).toEqual(["node.create", "node.create", "node.update", "node.update"]);
    expect(JSON.stringify(audits)).not.toMatch(/fra-password|ams-token/);
  });

  it("refuses the whole file when one entry is invalid, naming entry and field", async () => {
    const broken = `${FILE}
  - name: bad
    x3ui_url: https://user:pw@bad.example.com/
    x3ui_token: t
    inbound_id: 0
    weigth: 2
  - name: FRA-1
    x3ui_url: https://fra2.example.com/
    x3ui_token: t
    inbound_id: 1
`;
    const error = await failure(importNodes(deps, actor, { yaml: broken }));
    expect(error.fields).toEqual({
      "nodes[2].x3ui_url": expect.stringMatching(/user name or password/),
      "nodes[2].inbound_id": "must be greater than 0",
      "nodes[2].weigth": expect.stringMatching(/not a known field/),
      "nodes[3].name": "repeats the name of nodes[0]",
    });
    expect(await test.db.select().from(nodes)).toHaveLength(0);
  });

  it("rolls back every entry when a late one fails inside the transaction", async () => {
    await importNodes(deps, actor, { yaml: FILE });
    await test.db.update(nodes).set({ reservedCount: 50 }).where(eq(nodes.name, "ams-1"));
    // fra-1 changes fine; ams-1 then fails on a database rule, so fra-1's change must not stay.
    const file = FILE.replace("weight: 2", "weight: 9").replace("inbound_id: 3", "inbound_id: 3\n    max_users: 10");
    const error = await failure(importNodes(deps, actor, { yaml: file }));
    expect(error.fields).toEqual({ "nodes[1].max_users": expect.stringMatching(/at least 50/) });
    const [fra] = await test.db.select().from(nodes).where(eq(nodes.name, "fra-1"));
    expect(fra!.weight).toBe(2);
  });

  it("refuses malformed YAML and a file without a nodes list", async () => {
    expect((await failure(importNodes(deps, actor, { yaml: "nodes: [a: b" }))).fields).toHaveProperty("file");
    expect((await failure(importNodes(deps, actor, { yaml: "servers: []" }))).fields).toHaveProperty("nodes");
  });
});
