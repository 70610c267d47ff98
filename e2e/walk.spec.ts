import { randomUUID } from "node:crypto";
import { expect, test, type Locator, type Page } from "@playwright/test";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { pingCron, requestKey, screenshot } from "./support/fleet";
import { seedHealthHistory } from "./support/history";
import { createNode, listNodes, pingUntilHealthy, setAdminState, trpcMutation, trpcQuery, type NodeRow } from "./support/operations";
import {
  DICTIONARIES,
  expectWhollyInWindow,
  settingName,
  sidewaysScrolls,
  signInWalking,
  visit,
  walkContext,
  walkPages,
  WALK_SETTINGS,
  WALK_VIEWPORTS,
  type WalkStop,
} from "./support/walk";

// Every page in English and Russian, at 1440 and 390 px, light and dark, with axe-core clean, on a
// fleet of 14 nodes with users and a month of history; then the charts at 14 and at 50 nodes.
// Runs last (the file name): nodes other specs left are disabled first, so the fleet is exactly ours.
test.describe.configure({ mode: "serial" });

const VERSIONS = ["2.6.0", "2.8.11", "3.6.0"] as const;
const FLEET = [
  ["ams-1", "Amsterdam", 60],
  ["ams-2", "Amsterdam", 40],
  ["fra-1", "Frankfurt", 80],
  ["fra-2", "Frankfurt", 40],
  ["fra-3", "Frankfurt", 30],
  ["hel-1", "Helsinki", 40],
  ["waw-1", "Warsaw", 30],
  ["waw-2", "Warsaw", 20],
  ["rix-1", "Riga", 20],
  ["lon-1", "London", 50],
  ["par-1", "Paris", 30],
  ["sto-1", "Stockholm", 20],
  ["vie-1", "Vienna", 20],
  ["de-frankfurt-backup-long-name", "Frankfurt", 25],
] as const;
const USERS = 140;
const MORE_NODES = 36;

const panels: SimulatedPanel[] = [];
const ids = { node: "", drained: "", operation: "" };

test.beforeAll(async () => {
  for (let i = 0; i < FLEET.length; i++) panels.push(await startSimulator({ version: VERSIONS[i % VERSIONS.length]! }));
});
test.afterAll(async () => {
  await Promise.all(panels.map((p) => p.close()));
});

test("a fleet of 14 nodes with users, a drain under way and a month of history", async ({ page }) => {
  test.setTimeout(180_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  for (const node of await listNodes(page.request)) {
    if (node.adminState !== "disabled") await setAdminState(page.request, node.id, "disabled");
  }
  const created: NodeRow[] = [];
  for (const [i, [name, location, maxUsers]] of FLEET.entries()) created.push(await createNode(page.request, name, panels[i]!, maxUsers, location));
  await pingUntilHealthy(page.request, FLEET.map(([name]) => name));
  for (let i = 0; i < USERS; i++) expect((await requestKey(page.request, { telegramId: 525_000_001 + i, username: `walk_${i + 1}` })).status()).toBe(200);

  const byName = (name: string) => created.find((n) => n.name === name)!;
  ids.node = byName("fra-1").id;
  ids.drained = byName("waw-2").id;
  const drain = await trpcMutation<{ operation: { id: string } | null }>(page.request, "operations.drain", { nodeId: ids.drained });
  ids.operation = drain.operation!.id;
  await pingCron(page.request);
  await seedHealthHistory(
    created.map((n) => n.id),
    { nodeId: byName("ams-2").id, fromHoursAgo: 9, toHoursAgo: 6 },
  );
});

/**
 * Every cell of a table's first rows shown whole inside the window, its content inside the cell (not
 * running into the next one): on a phone a row is a card, not a strip to scroll.
 */
async function expectRowsInWindow(page: Page, table: Locator, rows = 3) {
  const body = table.locator("tbody > tr");
  await expect(body.first()).toBeVisible();
  const spills = await body.evaluateAll((trs, rows) => trs.slice(0, rows).flatMap((tr) => [...tr.querySelectorAll(":scope > td")].filter((td) => td.scrollWidth > td.clientWidth).map((td) => td.textContent)), rows);
  expect(spills, "cells whose content runs out of them").toEqual([]);
  for (let i = 0; i < Math.min(rows, await body.count()); i++) await expectWhollyInWindow(page, await body.nth(i).locator("> td:not(:empty)").all());
}

test("on a phone the operations, an operation's outcomes, the audit log and every table on a node's page are cards: each row's cells inside the window, nothing scrolls sideways", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const setting = { locale: "en", viewport: "phone" } as const;
  const t = DICTIONARIES.en;
  const context = await walkContext(browser, setting);
  const page = await context.newPage();
  await signInWalking(page, setting);
  const fits = async (name: string) => {
    await page.waitForLoadState("networkidle");
    expect(await sidewaysScrolls(page, true), `what scrolls sideways on ${name}`).toEqual([]);
    await screenshot(page, testInfo, `phone-${name}`);
  };

  await page.goto("/operations");
  const drain = page.getByTestId("operation-drain").filter({ has: page.getByRole("link", { name: "waw-2", exact: true }) });
  await expectWhollyInWindow(page, await drain.locator("> td").all());
  await page.getByRole("button", { name: t["rebalance.plan"], exact: true }).click();
  await expectRowsInWindow(page, page.getByRole("table", { name: t["rebalance.tableLabel"] }));
  await fits("operations");

  await page.goto(`/operations/${ids.operation}`);
  await expectRowsInWindow(page, page.getByRole("table", { name: t["operation.outcomes"] }));
  await fits("operation");

  await page.goto("/audit");
  const audit = page.getByRole("table", { name: t["nav.audit"] });
  await expectRowsInWindow(page, audit);
  await audit.getByRole("button", { name: t["audit.showChange"] }).first().click();
  await fits("audit");

  // fra-1's panel also holds a client made by hand, so the adoption preview has a row to show.
  const panel = panels[FLEET.findIndex(([name]) => name === "fra-1")]!;
  const email = `hand-made-${randomUUID().slice(0, 8)}`;
  panel.state.addClients(panel.inboundId, [{ id: randomUUID(), email, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId: 525_999_001, subId: "", comment: "", reset: 0 }]);
  try {
    await page.goto(`/nodes/${ids.node}`);
    await expectRowsInWindow(page, page.getByRole("table", { name: t["node.checks.title"] }));
    await expectRowsInWindow(page, page.getByRole("table", { name: t["node.users.title"] }));
    await page.getByRole("button", { name: t["whatIf.simulate"] }).click();
    await expectRowsInWindow(page, page.getByRole("table", { name: t["whatIf.tableLabel"] }));
    await page.getByRole("button", { name: t["adopt.preview"] }).click();
    await expectRowsInWindow(page, page.getByRole("table", { name: t["adopt.tableLabel"] }));
    await fits("node");
  } finally {
    panel.state.deleteClientEverywhere(email);
  }

  for (const [name, path] of [["overview", "/"], ["user", "/users/525000001"], ["settings", "/settings"]] as const) {
    await page.goto(path);
    await fits(name);
  }
  await context.close();
});

const STOPS: WalkStop[] = [
  { name: "overview", path: "/", heading: (t) => t["nav.overview"] },
  {
    name: "nodes",
    path: "/nodes",
    heading: (t) => t["nav.nodes"],
    states: [
      {
        name: "add-node",
        open: async (page, t) => {
          await page.getByRole("button", { name: t["nodes.add"] }).click();
          await expect(page.getByRole("dialog")).toBeVisible();
        },
      },
      {
        name: "row-menu",
        open: async (page, t) => {
          await page.getByRole("button", { name: t["common.actionsFor"].replace("{name}", "fra-1") }).click();
          await expect(page.getByRole("menu")).toBeVisible();
        },
      },
    ],
  },
  {
    name: "node",
    path: "",
    heading: () => "fra-1",
    states: [
      {
        name: "drain-confirmation",
        open: async (page, t) => {
          await page.getByRole("button", { name: t["nodeChange.drain.action"] }).click();
          await expect(page.getByTestId("node-change-impact")).toBeVisible();
        },
      },
    ],
  },
  { name: "users", path: "/users", heading: (t) => t["nav.users"] },
  { name: "user", path: "/users/525000001", heading: () => "@walk_1" },
  { name: "operations", path: "/operations", heading: (t) => t["nav.operations"] },
  { name: "operation", path: "", heading: () => /waw-2/ },
  { name: "audit", path: "/audit", heading: (t) => t["nav.audit"] },
  { name: "settings", path: "/settings", heading: (t) => t["nav.settings"] },
];

const stopsWithIds = (): WalkStop[] =>
  STOPS.map((stop) => (stop.name === "node" ? { ...stop, path: `/nodes/${ids.node}` } : stop.name === "operation" ? { ...stop, path: `/operations/${ids.operation}` } : stop));

for (const setting of WALK_SETTINGS) {
  test(`every page in ${settingName(setting)}, light and dark: axe-core clean, nothing wider than the window`, async ({ browser }, testInfo) => {
    // Nine pages and two dialogs, each checked twice: minutes on a machine shared with other builds.
    test.setTimeout(600_000);
    const context = await walkContext(browser, setting);
    const page = await context.newPage();
    const login = await visit(page, testInfo, { name: "login", path: "/login", heading: (t) => t["login.heading"] }, setting);
    await signInWalking(page, setting);
    await walkPages(page, testInfo, stopsWithIds(), setting, undefined, login);
    await context.close();
  });
}

/** The node names the load chart writes on its axis, top to bottom, once it has drawn `rows` of them (it draws after hydration). */
async function loadChartNames(page: Page, rows?: number): Promise<string[]> {
  const ticks = page.getByTestId("node-load-chart").locator(".recharts-yAxis-tick-labels text");
  if (rows !== undefined) await expect(ticks).toHaveCount(rows);
  return ticks.allTextContents();
}

/** The fill of a node's users bar on the load chart. */
async function loadBarColour(page: Page, name: string): Promise<string | null> {
  const index = (await loadChartNames(page)).indexOf(name);
  expect(index, `${name} on the load chart`).toBeGreaterThanOrEqual(0);
  return page.getByTestId("node-load-chart").locator(".recharts-bar").nth(1).locator(".recharts-bar-rectangle path").nth(index).getAttribute("fill");
}

test("charts at 14 nodes: every node named on the load chart, one colour per node everywhere, the timeline on the chart's time axis", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  for (const viewport of ["desktop", "phone"] as const) {
    const context = await walkContext(browser, { locale: "en", viewport });
    const page = await context.newPage();
    await signInWalking(page, { locale: "en", viewport });
    const names = await loadChartNames(page, FLEET.length);
    expect(new Set(names)).toEqual(new Set(FLEET.map(([name]) => (name.length > 16 ? `${name.slice(0, 15)}…` : name))));

    // The same node keeps its colour across a reload and between the overview and its own page.
    const colour = await loadBarColour(page, "fra-1");
    expect(colour).toMatch(/^oklch\(var\(--node-l\) var\(--node-c\) [\d.]+\)$/);
    expect(await loadBarColour(page, "fra-2")).not.toBe(colour);
    await page.reload();
    await loadChartNames(page, FLEET.length);
    expect(await loadBarColour(page, "fra-1")).toBe(colour);
    await page.goto(`/nodes/${ids.node}`);
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".recharts-area-curve").first().getAttribute("stroke")).toBe(colour);

    // The timeline under the node's latency chart spans the chart's plot and repeats its ticks
    // (the node's traffic chart further down has axes of its own).
    const healthCard = page.locator('[data-slot="card"]', { has: page.locator('[data-slot="health-timeline"]') });
    const plot = (await healthCard.locator(".recharts-cartesian-grid").first().boundingBox())!;
    const band = (await page.locator('[data-slot="health-timeline"] [role="img"]').first().boundingBox())!;
    expect(Math.abs(band.x - plot.x)).toBeLessThanOrEqual(1);
    expect(Math.abs(band.x + band.width - (plot.x + plot.width))).toBeLessThanOrEqual(1);
    const squeeze = (texts: string[]) => texts.map((text) => text.replace(/\s+/g, ""));
    await expect(page.locator('[data-slot="timeline-tick"]').first()).toBeVisible();
    const chartTicks = squeeze(await healthCard.locator(".recharts-xAxis-tick-labels text").allTextContents());
    const timelineTicks = squeeze(await page.locator('[data-slot="timeline-tick"]').allTextContents());
    expect(chartTicks.length).toBeGreaterThanOrEqual(2);
    expect(timelineTicks).toEqual(chartTicks);
    // Ticks are times of day; where one starts a new day it carries the date ("12:00 AM Nov 29").
    expect(chartTicks.some((tick) => /[A-Z][a-z]{2}\d{1,2}$/.test(tick))).toBe(true);
    await screenshot(page, testInfo, `charts-14-${WALK_VIEWPORTS[viewport].width}-node`);
    await context.close();
  }
});

test("charts at 50 nodes: the 15 fullest by name and the other 35 as one bar", async ({ browser, page }, testInfo) => {
  test.setTimeout(240_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const more: string[] = [];
  for (let i = 0; i < MORE_NODES; i++) {
    const panel = await startSimulator({ version: VERSIONS[i % VERSIONS.length]! });
    panels.push(panel);
    const name = `edge-${String(i + 1).padStart(2, "0")}`;
    await createNode(page.request, name, panel, 10 + (i % 5) * 10, "Edge");
    more.push(name);
  }
  expect((await trpcQuery<{ totalNodes: number }>(page.request, "stats.nodeLoad")).totalNodes).toBe(FLEET.length + MORE_NODES);
  for (const viewport of ["desktop", "phone"] as const) {
    const setting = { locale: "en", viewport } as const;
    const context = await walkContext(browser, setting);
    const walker = await context.newPage();
    await signInWalking(walker, setting);
    const names = await loadChartNames(walker, 16);
    // Whole, though it may wrap onto two lines (tspans, so no spaces in the text content).
    expect(names.at(-1)?.replace(/\s+/g, "")).toBe(DICTIONARIES.en["chart.others"].split("|")[1]!.replace("{count}", "35").replace(/\s+/g, ""));
    await screenshot(walker, testInfo, `charts-50-${settingName(setting)}-overview`);
    await walker.goto("/nodes");
    await screenshot(walker, testInfo, `charts-50-${settingName(setting)}-nodes`);
    await context.close();
  }
});
