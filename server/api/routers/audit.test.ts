import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";
import { createCaller } from "../root";

let test: TestDatabase;
let app: AppContext;
const viewer: Actor = { adminId: "00000000-0000-4000-8000-000000000001", username: "viewer1", role: "viewer", ip: null, userAgent: null };

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db);
  const actor = { adminId: null, username: "alice", ip: "10.0.0.1", userAgent: null };
  await recordAudit(test.db, actor, { action: "node.create", targetType: "node", targetId: "n1", after: { name: "de-1", password: "hunter2" } });
  await recordAudit(test.db, actor, { action: "node.delete", targetType: "node", targetId: "n1" });
  await recordAudit(test.db, { ...actor, username: "bob" }, { action: "settings.update", targetType: "settings", targetId: "health" });
});
afterAll(async () => test.close());

describe("audit and stats routers", () => {
  it("refuse anonymous callers", async () => {
    const anonymous = createCaller({ app, actor: null });
    await expect(anonymous.audit.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anonymous.stats.nodeLoad()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("pages the audit trail newest first and filters by action prefix, actor and target", async () => {
    const api = createCaller({ app, actor: viewer });
    const all = await api.audit.list({ pageSize: 2 });
    expect(all.total).toBe(3);
    expect(all.items.map((i) => i.action)).toEqual(["settings.update", "node.delete"]);
    const nodeActions = await api.audit.list({ action: "node." });
    expect(nodeActions.items.map((i) => i.action)).toEqual(["node.delete", "node.create"]);
    expect(nodeActions.items[1]?.after).toEqual({ name: "de-1", password: "[redacted]" });
    expect((await api.audit.list({ actor: "BO" })).items.map((i) => i.actorName)).toEqual(["bob"]);
    expect((await api.audit.list({ targetType: "settings", action: "node.create" })).total).toBe(0);
    // A LIKE wildcard typed by the admin is matched literally.
    expect((await api.audit.list({ actor: "%" })).total).toBe(0);
    expect(await api.audit.facets()).toEqual({ actions: ["node.create", "node.delete", "settings.update"], targetTypes: ["node", "settings"] });
  });
});
