/**
 * A move's outcome is stored as a code with parameters (operation_items.detail_ref, and the
 * operation's error_ref for an admin's one-user move), so the Operations page says it in the
 * reader's language; the English of the same code stays in the text column for the logs.
 */
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { operationItems, operations, vpnUsers } from "@/server/db/schema";
import { renderErrorText } from "@/server/http/messages";
import type { MessageRef } from "@/server/message-ref";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { fleetSuite } from "@/server/testing/fleet-suite";
import type { NodeSpec, SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { migrateItem, recoverInterruptedMoves } from "./migrate-item";
import { migrateUser } from "./migrate-user";
import type { MigrationDeps } from "./migration-deps";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "events", "operations", "webhook_deliveries"]);
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };
const TELEGRAM_ID = 7_100;

function deps(f: SimulatedFleet, steps?: MigrationDeps["steps"]): MigrationDeps {
  return {
    db: suite.db(),
    panelFor: f.panelFor,
    publicUrl: "https://fleet.example.com",
    clock: { now: () => new Date() },
    notifications: { webhook: null, telegram: null },
    steps,
  };
}

/** One user on `a`; the other nodes are opened to new users after it is placed. */
async function userOnA(others: NodeSpec[]): Promise<SimulatedFleet> {
  const fleet = await suite.start([{ name: "a" }, ...others.map((o) => ({ ...o, adminState: "disabled" as const }))], { timeoutMs: 500 });
  await getOrCreateKey(deps(fleet), { telegramId: TELEGRAM_ID });
  await suite.db().execute(sql`UPDATE nodes SET admin_state = 'active' WHERE name <> 'a'`);
  return fleet;
}

async function onlyItem() {
  const [item] = await suite.db().select().from(operationItems);
  if (!item) throw new Error("no operation item");
  return item;
}

/** The stored outcome: a code (kept in the text column too) whose Russian is Russian. */
function expectCoded(stored: { detail: string | null; detailRef: MessageRef | null }, expected: MessageRef) {
  expect(stored.detailRef).toEqual(expected);
  expect(stored.detail).toBe(expected.code);
  const russian = renderErrorText(expected, "ru");
  expect(russian).toMatch(/[а-я]/);
  expect(russian).not.toMatch(/\b(the|node|panel|user|error)\b|\.[a-z]+\.|\{/i);
}

describe("a move's outcome on its operation item", () => {
  it("names the last node and its panel failure when no node could take the user, never a raw error code", async () => {
    const f = await userOnA([{ name: "b" }, { name: "c" }]);
    f.panel("b").faults.http500 = true;
    f.panel("c").faults.http500 = true;

    const { operationId, outcome } = await migrateUser(deps(f), ADMIN, { telegramId: TELEGRAM_ID });

    expect(outcome.status).toBe("failed");
    const item = await onlyItem();
    expect(item.status).toBe("failed");
    const last = item.detailRef?.params?.node;
    expect(["b", "c"]).toContain(last);
    expectCoded(item, { code: "operation.item.noOtherTarget", params: { node: last!, reason: { code: "failure.panel.protocol" } } });
    expect(renderErrorText(item.detailRef!, "ru")).toBe(`${last}: панель ответила что-то неожиданное; ни один другой узел не смог принять пользователя`);
    expect(renderErrorText(item.detailRef!, "en")).toBe(`${last}: the panel answered something unexpected; no other node could take the user`);
    // The admin's one-user move fails with the same words.
    const [operation] = await suite.db().select().from(operations).where(eq(operations.id, operationId));
    expect(operation?.errorRef).toEqual(item.detailRef);
    expect(operation?.error).toBe(item.detail);
    if (outcome.status === "failed") expect(outcome.detail).toEqual(item.detailRef);
  });

  it("says which node failed, why, and which one is tried next while the move goes on, then where the user went", async () => {
    const f = await userOnA([
      { name: "b", weight: 100 },
      { name: "c", weight: 1 },
    ]);
    f.panel("b").faults.http500 = true;
    let whileTrying: Awaited<ReturnType<typeof onlyItem>> | undefined;
    const steps: MigrationDeps["steps"] = async (step) => {
      if (step === "placement.created") whileTrying = await onlyItem();
    };

    const { outcome } = await migrateUser(deps(f, steps), ADMIN, { telegramId: TELEGRAM_ID });

    expect(outcome.status).toBe("succeeded");
    expect(whileTrying?.status).toBe("running");
    expectCoded(whileTrying!, { code: "operation.item.retrying", params: { node: "b", reason: { code: "failure.panel.protocol" }, next: "c" } });
    expectCoded(await onlyItem(), { code: "operation.item.movedTo", params: { node: "c" } });
  });

  it("skips a user no node has room for, and one whose key is no longer on the node, each with its own code", async () => {
    const f = await userOnA([{ name: "b", maxUsers: 0 }]);
    const [user] = await suite.db().select().from(vpnUsers);
    const [operation] = await suite.db()
      .insert(operations)
      .values({ kind: "drain", status: "running", nodeId: f.node("a").id, startedBy: "ops", total: 2 })
      .returning();
    const [full, stale] = await suite.db()
      .insert(operationItems)
      .values([
        { operationId: operation!.id, userId: user!.id, fromNodeId: f.node("a").id },
        { operationId: operation!.id, userId: user!.id, fromNodeId: f.node("b").id },
      ])
      .returning();

    expect(await migrateItem(deps(f), full!, "drain")).toEqual({ status: "skipped", detail: { code: "operation.item.noRoom" }, isUnplaced: true });
    expect(await migrateItem(deps(f), stale!, "drain")).toMatchObject({ status: "skipped", detail: { code: "operation.item.keyChanged" } });
    const items = await suite.db().select().from(operationItems).orderBy(operationItems.id);
    expectCoded(items[0]!, { code: "operation.item.noRoom" });
    expectCoded(items[1]!, { code: "operation.item.keyChanged" });
  });

  it("hands a move whose process stopped back to be moved again, coded as interrupted", async () => {
    const f = await userOnA([]);
    const [user] = await suite.db().select().from(vpnUsers);
    const [operation] = await suite.db().insert(operations).values({ kind: "drain", status: "running", nodeId: f.node("a").id, startedBy: "ops", total: 1 }).returning();
    // Running since long before a whole attempt's deadline, with no placement begun: its process is gone.
    await suite.db().insert(operationItems).values({ operationId: operation!.id, userId: user!.id, fromNodeId: f.node("a").id, status: "running", updatedAt: new Date(Date.now() - 3_600_000) });

    expect(await recoverInterruptedMoves(deps(f))).toBe(1);
    const item = await onlyItem();
    expect(item.status).toBe("pending");
    expectCoded(item, { code: "operation.item.interrupted" });
  });
});
