import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog, nodes } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { errorBody } from "@/server/http/messages";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { cliActor } from "../actor";
import { importNodes } from "./import-nodes";
import { readPanelSecret } from "./panel-for-node";
import { testNodeDeps } from "@/server/testing/simulated-nodes";

let test: TestDatabase;
let deps: ReturnType<typeof testNodeDeps>;
let sim: SimulatedPanel;
const actor = cliActor("nodes:import");
// No panel answers at the example hosts: their nodes are saved disabled, past the connection test.
const untested = (yaml: string) => ({ yaml, saveDisabled: true });

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
  sim = await startSimulator({ version: "3.6.0" });
});
afterAll(async () => {
  await sim?.close();
  await test?.close();
});
beforeEach(async () => {
  await test.db.delete(nodes);
});

describe("importNodes", () => {
  it("creates nodes, then updates by name and reports what changed", async () => {
    expect(await importNodes(deps, actor, untested(FILE))).toEqual({ created: ["fra-1", "ams-1"], updated: [], unchanged: [], disabled: ["fra-1", "ams-1"] });
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
      disabled: [],
    });
    expect(await importNodes(deps, actor, { yaml: edited })).toEqual({ created: [], updated: [], unchanged: ["fra-1", "AMS-1"], disabled: [] });
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
    const error = await failure(importNodes(deps, actor, untested(broken)));
    expect(errorBody(error).fields).toEqual({
      "nodes[2].x3ui_url": expect.stringMatching(/user name or password/),
      "nodes[2].inbound_id": "must be greater than 0",
      "nodes[2].weigth": expect.stringMatching(/not a known field/),
      "nodes[3].name": "repeats the name of nodes[0]",
    });
    expect(await test.db.select().from(nodes)).toHaveLength(0);
  });

  it("rolls back every entry when a late one fails inside the transaction", async () => {
    await importNodes(deps, actor, untested(FILE));
    await test.db.update(nodes).set({ reservedCount: 50 }).where(eq(nodes.name, "ams-1"));
    // fra-1 changes fine; ams-1 then fails on a database rule, so fra-1's change must not stay.
    const file = FILE.replace("weight: 2", "weight: 9").replace("inbound_id: 3", "inbound_id: 3\n    max_users: 10");
    const error = await failure(importNodes(deps, actor, { yaml: file }));
    expect(errorBody(error).fields).toEqual({ "nodes[1].max_users": expect.stringMatching(/at least 50/) });
    const [fra] = await test.db.select().from(nodes).where(eq(nodes.name, "fra-1"));
    expect(fra!.weight).toBe(2);
  });

  it("refuses malformed YAML and a file without a nodes list", async () => {
    expect((await failure(importNodes(deps, actor, { yaml: "nodes: [a: b" }))).fields).toHaveProperty("file");
    expect((await failure(importNodes(deps, actor, { yaml: "servers: []" }))).fields).toHaveProperty("nodes");
  });

  describe("with panels that answer", () => {
    const open = () => ({ ...deps, addressPolicy: { allowPrivate: true, resolve: async () => [] } });
    const entry = (name: string, url = sim.url, inbound = 1) => `
  - name: ${name}
    x3ui_url: ${url}
    x3ui_username: ${sim.username}
    x3ui_password: ${sim.password}
    inbound_id: ${inbound}`;

    it("imports nodes whose connection test passes, serving", async () => {
      expect(await importNodes(open(), actor, { yaml: `nodes:${entry("a")}${entry("b", sim.url, 2)}` })).toMatchObject({ created: ["a", "b"], disabled: [] });
      expect((await test.db.select().from(nodes)).map((n) => n.adminState)).toEqual(["active", "active"]);
    });

    // Observation 1, through the import.
    it("refuses a panel inbound listed twice, or one another node has, naming the node", async () => {
      const twice = await failure(importNodes(open(), actor, { yaml: `nodes:${entry("a")}${entry("a-again", sim.url.toUpperCase().replace("HTTP://", "http://"))}` }));
      expect(twice.fields?.["nodes[1].x3ui_url"]).toEqual({ code: "node.field.panelTaken", params: { node: "a", inbound: 1 } });
      expect(await test.db.select().from(nodes)).toHaveLength(0);
      await importNodes(open(), actor, { yaml: `nodes:${entry("a")}` });
      const taken = await failure(importNodes(open(), actor, { yaml: `nodes:${entry("b")}` }));
      expect(errorBody(taken).fields?.["nodes[0].x3ui_url"]).toBe("is already node “a” with inbound 1: one panel inbound can be one node only");
    });

    // Observation 2, through the import.
    it("refuses the file when a connection test fails, naming entry and field, unless told to save those disabled", async () => {
      const yaml = `nodes:${entry("a")}${entry("b", sim.url, 999)}`;
      const error = await failure(importNodes(open(), actor, { yaml }));
      expect(error.code).toBe("CONNECTION_FAILED");
      expect(error.fields).toEqual({ "nodes[1].inbound_id": { code: "check.inboundMissing", params: { inbound: 999 } } });
      expect(await test.db.select().from(nodes)).toHaveLength(0);
      expect(await importNodes(open(), actor, { yaml, saveDisabled: true })).toMatchObject({ created: ["a", "b"], disabled: ["b"] });
    });
  });
});
