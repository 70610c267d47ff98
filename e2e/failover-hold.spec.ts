import { expect, test } from "@playwright/test";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { pingCron, screenshot } from "./support/fleet";
import { CHECK_INTERVAL_MS, createNode, listNodes, nodeNamed, pingUntilHealthy, setAdminState } from "./support/operations";

// The blast-radius guard as an owner meets it: every serving node fails at once, a banner on every
// page says failover is held and why, and the owner releases the hold for one node (audited).
// Five: with one released, four failing still exceed the guard's floor of three.
const NAMES = ["hold-a", "hold-b", "hold-c", "hold-d", "hold-e"] as const;
const panels: SimulatedPanel[] = [];

test.beforeAll(async () => {
  panels.push(...(await Promise.all(NAMES.map(() => startSimulator({ version: "2.8.11" })))));
});
test.afterAll(async () => {
  await Promise.all(panels.map((p) => p.close()));
});

test("all serving nodes fail at once: a banner on every page holds failover, and the owner releases one node", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  // Only these five serve: nodes left by earlier specs are switched off so the guard weighs these alone.
  for (const node of await listNodes(page.request)) {
    if (!(NAMES as readonly string[]).includes(node.name) && node.adminState !== "disabled") await setAdminState(page.request, node.id, "disabled");
  }
  for (const [i, name] of NAMES.entries()) await createNode(page.request, name, panels[i]!, 10);
  await pingUntilHealthy(page.request, [...NAMES]);
  await page.goto("/nodes");
  await expect(page.getByTestId("failover-hold-banner")).toHaveCount(0);

  await Promise.all(panels.map((p) => p.faults.down()));
  await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
  await pingCron(page.request);

  // A banner on every page, with the reason and the nodes waiting.
  for (const path of ["/nodes", "/users", "/operations"]) {
    await page.goto(path);
    const banner = page.getByTestId("failover-hold-banner");
    await expect(banner).toContainText("Automatic failover is on hold");
    await expect(banner).toContainText("5 of 5 serving nodes failed their health check in one sweep");
    // The explanation and the nodes are folded away until asked for.
    await expect(banner.getByRole("list", { name: "Nodes waiting because of the hold" })).toBeHidden();
    await banner.getByText("What this means · 5 nodes waiting").click();
    await expect(banner.getByRole("list", { name: "Nodes waiting because of the hold" }).getByRole("listitem")).toHaveCount(5);
  }
  await screenshot(page, testInfo, "failover-hold-banner");

  const banner = page.getByTestId("failover-hold-banner");
  const row = banner.getByRole("listitem").filter({ hasText: "hold-a" });
  await row.getByRole("button", { name: "Release hold" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Release the hold for hold-a?" });
  await confirm.getByRole("button", { name: "Release hold" }).click();
  await expect(row.getByText("hold released")).toBeVisible();
  await expect(banner.getByRole("button", { name: "Release hold" })).toHaveCount(4);

  // The released node is marked unhealthy at its next failed check; the others stay held.
  await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
  await pingCron(page.request);
  expect((await nodeNamed(page.request, "hold-a")).healthState).toBe("unhealthy");
  expect((await nodeNamed(page.request, "hold-b")).healthState).toBe("healthy");

  await page.goto("/audit");
  await expect(page.getByRole("table").getByText("failover hold released for a node")).toBeVisible();

  for (const name of NAMES) await setAdminState(page.request, (await nodeNamed(page.request, name)).id, "disabled");
});
