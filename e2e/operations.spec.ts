import { expect, test, type Page } from "@playwright/test";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { pingCron, requestKey, screenshot } from "./support/fleet";
import {
  clientsOf,
  createNode,
  fleetClientCount,
  listNodes,
  nodeNamed,
  pingUntilHealthy,
  setAdminState,
  subscriptionLinks,
  trpcMutation,
  trpcQuery,
  type BotKey,
} from "./support/operations";

// Dashboard actions that move keys around: rebalance, moving one user, "what if this node dies",
// refreshing and revoking a key. Each runs through the UI and is checked in the simulated panels.
test.describe.configure({ mode: "serial" });

const NODES = ["ops-a", "ops-b", "ops-c"] as const;
type NodeName = (typeof NODES)[number];
const MAX_USERS = 10;
/** Users issued while only ops-a takes new users: the imbalance the rebalance evens out. */
const USERS = Array.from({ length: 6 }, (_, i) => ({ telegramId: 424243001 + i, username: `ops_u${i + 1}` }));

const panels = {} as Record<NodeName, SimulatedPanel>;

test.beforeAll(async () => {
  const [a, b, c] = await Promise.all([startSimulator({ version: "2.8.11" }), startSimulator({ version: "3.6.0" }), startSimulator({ version: "2.6.0" })]);
  Object.assign(panels, { "ops-a": a, "ops-b": b, "ops-c": c });
});
test.afterAll(async () => {
  await Promise.all(Object.values(panels).map((p) => p.close()));
});

/** Where the panels say a user's client is: the names of the nodes holding one. */
function panelsHolding(telegramId: number): NodeName[] {
  return NODES.filter((name) => clientsOf(panels[name], telegramId).length > 0);
}

async function opsLoads(page: Page): Promise<Record<NodeName, number>> {
  const nodes = await listNodes(page.request);
  return Object.fromEntries(NODES.map((name) => [name, nodes.find((n) => n.name === name)?.reservedCount ?? -1])) as Record<NodeName, number>;
}

async function openUser(page: Page, telegramId: number) {
  await page.goto(`/users?q=${telegramId}`);
  const row = page.getByTestId(`user-row-${telegramId}`);
  await expect(row).toBeVisible();
  return row;
}

async function userAction(page: Page, telegramId: number, username: string, item: "Move to a node" | "Refresh key" | "Revoke key") {
  await page.getByTestId(`user-row-${telegramId}`).getByRole("button", { name: `Actions for @${username}` }).click();
  await page.getByRole("menuitem", { name: item }).click();
}

/** An admin's reveal of a user's key and subscription URL (the list itself shows neither). */
const revealed = (page: Page, telegramId: number) =>
  trpcMutation<{ key: string | null; subscriptionUrl: string }>(page.request, "users.revealKey", { telegramId });

async function keyShown(page: Page, telegramId: number): Promise<string> {
  const { key } = await revealed(page, telegramId);
  expect(key).toMatch(/^vless:\/\//);
  return key!;
}

test("rebalance: a plan evens out users issued while one node was alone, and executing it moves them", async ({ page }, testInfo) => {
  test.setTimeout(180_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);

  // Nodes other specs left behind (their simulators are gone) must not send users onto ours mid-test.
  for (const node of await listNodes(page.request)) {
    if (!(NODES as readonly string[]).includes(node.name) && node.adminState !== "disabled") await setAdminState(page.request, node.id, "disabled");
  }

  // Three nodes; only ops-a takes the users the bot asks keys for.
  for (const name of NODES) await createNode(page.request, name, panels[name], MAX_USERS);
  for (const name of ["ops-b", "ops-c"] as const) await setAdminState(page.request, (await nodeNamed(page.request, name)).id, "disabled");
  await pingUntilHealthy(page.request, ["ops-a"]);
  for (const user of USERS) {
    const response = await requestKey(page.request, user);
    expect(response.status()).toBe(200);
    expect(((await response.json()) as BotKey).node.name).toBe("ops-a");
  }
  for (const name of ["ops-b", "ops-c"] as const) await setAdminState(page.request, (await nodeNamed(page.request, name)).id, "active");
  await pingUntilHealthy(page.request, ["ops-b", "ops-c"]);
  const before = await opsLoads(page);
  expect(before["ops-a"]).toBeGreaterThanOrEqual(USERS.length);
  expect([before["ops-b"], before["ops-c"]]).toEqual([0, 0]);

  // Dry run: the plan shows the moves, and nothing moves.
  await page.goto("/operations");
  await page.getByRole("button", { name: "Plan" }).click();
  await expect(page.getByTestId("rebalance-plan")).toContainText(/\d+ users would move between 3 nodes/);
  const planText = (await page.getByTestId("rebalance-plan").textContent()) ?? "";
  const planned = Number(/(\d+) users would move/.exec(planText)![1]);
  expect(planned).toBeGreaterThanOrEqual(4);
  const planTable = page.getByRole("table", { name: "Rebalance plan" });
  await expect(planTable.getByRole("row", { name: /ops-a/ })).toContainText(`${before["ops-a"]} → `);
  await expect(planTable.getByRole("row", { name: /ops-b/ })).toContainText("0 → ");
  await expect(planTable.getByRole("row", { name: /ops-c/ })).toContainText("0 → ");
  await screenshot(page, testInfo, "rebalance-plan");
  expect(await opsLoads(page)).toEqual(before);
  expect(fleetClientCount(panels["ops-a"])).toBe(before["ops-a"]);
  expect(fleetClientCount(panels["ops-b"]) + fleetClientCount(panels["ops-c"])).toBe(0);

  // Execute: an operation the cron works through in batches.
  await page.getByRole("button", { name: "Execute plan" }).click();
  const confirm = page.getByRole("alertdialog", { name: `Move ${planned} users?` });
  await confirm.getByRole("button", { name: "Execute" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByText(`Rebalance started: ${planned} moves`)).toBeVisible();
  // The live list picks up the new operation without a reload.
  const row = page.getByTestId("operation-rebalance");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(`rebalance: ${planned} moves`);
  await row.getByRole("link").first().click();
  await expect(page.getByRole("heading", { name: "Rebalance" })).toBeVisible();
  const operationUrl = page.url();

  await expect
    .poll(
      async () => {
        await pingCron(page.request);
        const id = operationUrl.split("/").pop()!;
        const detail = await trpcQuery<{ operation: { status: string } }>(page.request, "operations.detail", { id, limit: 10 });
        return detail.operation.status;
      },
      { timeout: 60_000, intervals: [500] },
    )
    .toBe("succeeded");

  await page.reload();
  await expect(page.locator("[data-slot=page-header]")).toContainText("succeeded");
  await expect(page.getByRole("progressbar", { name: "Operation progress" })).toHaveAttribute("aria-valuenow", String(planned));
  const outcomes = page.getByRole("table", { name: "Per-user outcomes" });
  await expect(outcomes.getByRole("row")).toHaveCount(planned + 1);
  await expect(outcomes.getByRole("row").filter({ hasText: "succeeded" })).toHaveCount(planned);
  await expect(outcomes.getByRole("row").filter({ hasText: /ops-a.*ops-[bc]/ })).toHaveCount(planned);
  await screenshot(page, testInfo, "rebalance-outcomes");

  // The load is even now, in the fleet's books and on the panels.
  const after = await opsLoads(page);
  expect(after["ops-a"] + after["ops-b"] + after["ops-c"]).toBe(before["ops-a"]);
  expect(Math.max(...Object.values(after)) - Math.min(...Object.values(after))).toBeLessThanOrEqual(1);
  for (const name of NODES) expect(fleetClientCount(panels[name]), `clients on ${name}`).toBe(after[name]);
  for (const user of USERS) expect(panelsHolding(user.telegramId), `panels holding ${user.telegramId}`).toHaveLength(1);

  // The moved users' rows show their new node.
  await page.goto("/users?q=ops_u");
  for (const name of NODES) await expect(page.getByRole("table", { name: "Users" }).getByRole("link", { name, exact: true })).toHaveCount(
    USERS.filter((u) => panelsHolding(u.telegramId)[0] === name).length,
  );
  await page.goto("/nodes");
  await screenshot(page, testInfo, "rebalance-nodes-after");
});

test("an admin moves a user to a chosen node, then lets the balancer choose", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  // A user the rebalance left on ops-a.
  const user = USERS.find((u) => panelsHolding(u.telegramId)[0] === "ops-a");
  if (!user) throw new Error("the rebalance left nobody on ops-a");
  // Exactly one client, on ops-a alone.
  expect(panelsHolding(user.telegramId)).toEqual(["ops-a"]);
  const row = await openUser(page, user.telegramId);
  await expect(row.getByRole("link", { name: "ops-a", exact: true })).toBeVisible();
  const keyBefore = await keyShown(page, user.telegramId);
  const { subscriptionUrl } = await revealed(page, user.telegramId);
  const subBefore = await subscriptionLinks(page.request, subscriptionUrl);
  expect(subBefore).toEqual({ status: 200, links: [keyBefore] });

  // 1. To a chosen node.
  await userAction(page, user.telegramId, user.username, "Move to a node");
  const dialog = page.getByRole("alertdialog", { name: `Move @${user.username}` });
  const target = dialog.getByLabel("Target node");
  await expect(target.locator("option", { hasText: "ops-c" })).toHaveCount(1);
  await expect(target.locator("option", { hasText: "ops-a" })).toHaveCount(0);
  await target.selectOption((await target.locator("option", { hasText: "ops-c" }).getAttribute("value"))!);
  await dialog.getByRole("button", { name: "Move" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`@${user.username} moved`)).toBeVisible();
  await expect(row.getByRole("link", { name: "ops-c", exact: true })).toBeVisible();
  const keyOnC = await keyShown(page, user.telegramId);
  expect(keyOnC).not.toBe(keyBefore);
  expect((await revealed(page, user.telegramId)).subscriptionUrl).toBe(subscriptionUrl);
  const clientsOnC = clientsOf(panels["ops-c"], user.telegramId);
  expect(clientsOnC, "clients on ops-c").toHaveLength(1);
  expect(keyOnC).toContain(clientsOnC[0]!.id);
  expect(clientsOf(panels["ops-a"], user.telegramId)).toEqual([]);
  expect(await subscriptionLinks(page.request, subscriptionUrl)).toEqual({ status: 200, links: [keyOnC] });
  await screenshot(page, testInfo, "move-user-chosen-node");

  // 2. Letting the balancer choose: the least loaded node that is not the user's own.
  const loads = await opsLoads(page);
  const expected = (["ops-a", "ops-b"] as const).reduce((best, name) => (loads[name] < loads[best] ? name : best));
  await userAction(page, user.telegramId, user.username, "Move to a node");
  await expect(dialog.getByLabel("Target node")).toHaveValue("");
  await dialog.getByRole("button", { name: "Move" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByRole("link", { name: expected, exact: true })).toBeVisible();
  const keyAfter = await keyShown(page, user.telegramId);
  expect(keyAfter).not.toBe(keyOnC);
  expect(panelsHolding(user.telegramId)).toEqual([expected]);
  expect(keyAfter).toContain(clientsOf(panels[expected], user.telegramId)[0]!.id);
  expect(await subscriptionLinks(page.request, subscriptionUrl)).toEqual({ status: 200, links: [keyAfter] });

  // Both moves are operations with their outcome.
  await page.goto("/operations");
  await expect(page.getByTestId("operation-migration")).toHaveCount(2);
  await expect(page.getByTestId("operation-migration").first()).toContainText("succeeded");
  await openUser(page, user.telegramId);
  await screenshot(page, testInfo, "move-user-balancer");
});

test("the move dialog opened again after a move still targets the balancer's choice", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const user = USERS.find((u) => panelsHolding(u.telegramId)[0] === "ops-b" && u !== USERS[USERS.length - 1]);
  if (!user) throw new Error("nobody but the last user is on ops-b");
  expect(panelsHolding(user.telegramId)).toEqual(["ops-b"]);
  const row = await openUser(page, user.telegramId);
  const dialog = page.getByRole("alertdialog", { name: `Move @${user.username}` });

  await userAction(page, user.telegramId, user.username, "Move to a node");
  const target = dialog.getByLabel("Target node");
  await target.selectOption((await target.locator("option", { hasText: "ops-c" }).getAttribute("value"))!);
  await dialog.getByRole("button", { name: "Move" }).click();
  await expect(row.getByRole("link", { name: "ops-c", exact: true })).toBeVisible();

  // Without reloading the page: the dialog shows "Best node (balancer)", so Move must move the user off ops-c.
  await userAction(page, user.telegramId, user.username, "Move to a node");
  await expect(dialog.getByLabel("Target node")).toHaveValue("");
  const request = page.waitForRequest((r) => r.url().includes("/api/trpc/operations.migrateUser"));
  const response = page.waitForResponse((r) => r.url().includes("/api/trpc/operations.migrateUser"));
  await dialog.getByRole("button", { name: "Move" }).click();
  await testInfo.attach("migrateUser request", { body: (await request).postData() ?? "", contentType: "application/json" });
  await testInfo.attach("migrateUser response", { body: await (await response).text(), contentType: "application/json" });
  expect((await response).status()).toBe(200);
  await expect(dialog).toBeHidden();
  await expect(row.getByRole("link", { name: "ops-c", exact: true })).toHaveCount(0);
});

test("what if a node dies: who would move where and who would fit nowhere, and nothing changes", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  // Make capacity short: ops-b can take one more user, ops-c none.
  const loads = await opsLoads(page);
  const [a, b, c] = await Promise.all(NODES.map((name) => nodeNamed(page.request, name)));
  const dead = a!;
  expect(loads["ops-a"], "users on the node that dies").toBeGreaterThanOrEqual(2);
  await trpcMutation(page.request, "nodes.update", { id: b!.id, maxUsers: loads["ops-b"] + 1 });
  await trpcMutation(page.request, "nodes.update", { id: c!.id, maxUsers: loads["ops-c"] });
  try {
    const onDeadBefore = await page.request
      .get(`/api/trpc/stats.nodeUsers?input=${encodeURIComponent(JSON.stringify({ json: { nodeId: dead.id, page: 1, pageSize: 100 } }))}`)
      .then((r) => r.json());
    const clientsBefore = NODES.map((name) => fleetClientCount(panels[name]));
    const operationsBefore = await trpcQuery<{ items: unknown[] }>(page.request, "operations.list", { limit: 100 });

    await page.goto("/nodes");
    await page.getByTestId("node-row-ops-a").getByRole("link", { name: "ops-a" }).click();
    await expect(page.getByRole("heading", { name: "ops-a", level: 1 })).toBeVisible();
    await expect(page.getByText("What if ops-a dies now?")).toBeVisible();
    await page.getByRole("button", { name: "Simulate" }).click();
    const result = page.getByTestId("what-if-result");
    await expect(result).toContainText(`${loads["ops-a"]} users would move`);
    await expect(result).toContainText(`${loads["ops-a"] - 1} would fit nowhere`);
    const where = result.getByRole("table", { name: "Where the users would go" });
    await expect(where.getByRole("row")).toHaveCount(2);
    await expect(where.getByRole("row", { name: /ops-b/ })).toHaveText(/ops-b\s*1\s*100%/);
    // Who: the users that would fit nowhere are named (they are ops-a's), and the one move goes to ops-b.
    const nowhere = result.getByRole("list", { name: "Would fit nowhere" });
    await expect(nowhere.getByRole("listitem")).toHaveCount(loads["ops-a"] - 1);
    const onA = USERS.filter((u) => panelsHolding(u.telegramId)[0] === "ops-a").map((u) => String(u.telegramId));
    for (const id of await nowhere.getByRole("link").allTextContents()) expect(onA).toContain(id);
    await result.locator("summary").click();
    await expect(result.getByRole("list", { name: "Who would move where" }).getByRole("listitem")).toHaveText([/→ ops-b$/]);
    await expect(page.getByRole("button", { name: "Run again" })).toBeVisible();
    await result.scrollIntoViewIfNeeded();
    await screenshot(page, testInfo, "what-if-capacity-short");

    // With room again, every user fits somewhere.
    await trpcMutation(page.request, "nodes.update", { id: c!.id, maxUsers: MAX_USERS });
    await page.getByRole("button", { name: "Run again" }).click();
    await expect(result).toContainText("every one of them fits elsewhere");
    await expect(result).not.toContainText("would fit nowhere");
    await expect(where.getByRole("row", { name: /ops-c/ })).toBeVisible();
    const placed = await where.locator("tbody tr").evaluateAll((rows) => rows.map((r) => Number(r.children[1]?.textContent)));
    expect(placed.reduce((sum, n) => sum + n, 0)).toBe(loads["ops-a"]);
    await screenshot(page, testInfo, "what-if-room");

    // Nothing moved: same users on the node, same clients on the panels, no new operation.
    const onDeadAfter = await page.request
      .get(`/api/trpc/stats.nodeUsers?input=${encodeURIComponent(JSON.stringify({ json: { nodeId: dead.id, page: 1, pageSize: 100 } }))}`)
      .then((r) => r.json());
    expect(onDeadAfter).toEqual(onDeadBefore);
    expect(NODES.map((name) => fleetClientCount(panels[name]))).toEqual(clientsBefore);
    expect(await opsLoads(page)).toEqual(loads);
    expect((await trpcQuery<{ items: unknown[] }>(page.request, "operations.list", { limit: 100 })).items).toHaveLength(operationsBefore.items.length);
    await expect(page.getByRole("table", { name: "Users on this node" }).getByRole("row")).toHaveCount(loads["ops-a"] + 1);
  } finally {
    await trpcMutation(page.request, "nodes.update", { id: b!.id, maxUsers: MAX_USERS });
    await trpcMutation(page.request, "nodes.update", { id: c!.id, maxUsers: MAX_USERS });
  }
});

test("an admin refreshes a key, then revokes it", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const user = USERS[USERS.length - 1]!;
  const row = await openUser(page, user.telegramId);
  const keyBefore = await keyShown(page, user.telegramId);
  const { subscriptionUrl } = await revealed(page, user.telegramId);
  const [nodeBefore] = panelsHolding(user.telegramId);
  const [clientBefore] = clientsOf(panels[nodeBefore!], user.telegramId);
  expect(keyBefore).toContain(clientBefore!.id);

  // Refresh: a new key (a new client), the old client gone, the same subscription URL.
  await userAction(page, user.telegramId, user.username, "Refresh key");
  const refresh = page.getByRole("alertdialog", { name: `Refresh the key of @${user.username}?` });
  await refresh.getByRole("button", { name: "Refresh key" }).click();
  await expect(refresh).toBeHidden();
  await expect(page.getByText(`New key issued for @${user.username}`)).toBeVisible();
  const keyAfter = await keyShown(page, user.telegramId);
  expect(keyAfter).not.toBe(keyBefore);
  const holding = panelsHolding(user.telegramId);
  expect(holding).toHaveLength(1);
  const [clientAfter] = clientsOf(panels[holding[0]!], user.telegramId);
  expect(clientAfter!.email).not.toBe(clientBefore!.email);
  expect(keyAfter).toContain(clientAfter!.id);
  expect(NODES.flatMap((name) => clientsOf(panels[name], user.telegramId)).map((c) => c.email)).not.toContain(clientBefore!.email);
  await expect(row.getByRole("link", { name: holding[0]!, exact: true })).toBeVisible();
  expect(await subscriptionLinks(page.request, subscriptionUrl)).toEqual({ status: 200, links: [keyAfter] });
  await screenshot(page, testInfo, "key-refreshed");

  // Revoke: the client leaves the panel, the user has no key, and the old subscription URL is dead (rotated).
  await userAction(page, user.telegramId, user.username, "Revoke key");
  const revoke = page.getByRole("alertdialog", { name: `Revoke the key of @${user.username}?` });
  await revoke.getByRole("button", { name: "Revoke key" }).click();
  await expect(revoke).toBeHidden();
  await expect(page.getByText(`Key of @${user.username} revoked`)).toBeVisible();
  await expect(row.getByRole("cell", { name: "no key", exact: true })).toBeVisible();
  await expect(row.locator("code")).toHaveCount(0);
  expect(panelsHolding(user.telegramId)).toEqual([]);
  // The revoked user's subscription URL is gone; the user has a new one, with nothing in it yet.
  expect((await page.request.get(subscriptionUrl)).status()).toBe(404);
  const { subscriptionUrl: newUrl } = await revealed(page, user.telegramId);
  expect(newUrl).not.toBe(subscriptionUrl);
  expect(await subscriptionLinks(page.request, newUrl)).toEqual({ status: 200, links: [] });
  await row.getByRole("button", { name: `Actions for @${user.username}` }).click();
  await expect(page.getByRole("menuitem", { name: "Key, QR and placement" })).toBeVisible();
  await expect(page.getByRole("menuitem", { name: "Revoke key" })).toHaveCount(0);
  await expect(page.getByRole("menuitem", { name: "Refresh key" })).toHaveCount(0);
  await screenshot(page, testInfo, "key-revoked");

  // An admin replaces a (leaked) subscription URL: the current one answers 404 at once.
  await page.getByRole("menuitem", { name: "New subscription URL" }).click();
  const rotate = page.getByRole("alertdialog", { name: `Give @${user.username} a new subscription URL?` });
  await rotate.getByRole("button", { name: "New subscription URL" }).click();
  await expect(page.getByText(`New subscription URL for @${user.username}`)).toBeVisible();
  expect((await page.request.get(newUrl)).status()).toBe(404);
  expect((await revealed(page, user.telegramId)).subscriptionUrl).not.toBe(newUrl);
});

test("the operations list shows a new operation without a reload", async ({ page }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/operations");
  const migrations = page.getByTestId("operation-migration");
  await expect(migrations.first()).toBeVisible();
  const before = await migrations.count();
  const refetch = page.waitForResponse((r) => r.url().includes("/api/trpc/operations.list"), { timeout: 20_000 });

  // Another admin moves a user meanwhile; the list refreshes every 15 s while nothing runs.
  const user = USERS.find((u) => panelsHolding(u.telegramId).length === 1)!;
  const moved = await trpcMutation<{ outcome: { status: string } }>(page.request, "operations.migrateUser", { telegramId: user.telegramId });
  expect(moved.outcome.status).toBe("succeeded");
  expect((await refetch).status()).toBe(200);
  await expect(migrations).toHaveCount(before + 1, { timeout: 5_000 });
});
