import { expect, test } from "@playwright/test";
import { en } from "../components/i18n/messages/en";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_ENV, E2E_OWNER } from "./support/e2e-env";
import { pingCron, screenshot } from "./support/fleet";
import { clientsOf, createNode, nodeNamed, pingUntilHealthy, setAdminState } from "./support/operations";
import { expectWhollyInWindow, sidewaysScrolls, signInWalking, walkContext, WALK_VIEWPORTS } from "./support/walk";

// Selling a plan from the dashboard: an admin creates a user with a plan on a chosen node, the
// panel enforces it, the ledger's traffic shows on the user page and the overview, and bulk
// actions switch the user off on the panel — every step audited.
test.describe.configure({ mode: "serial" });

const NODE = "plans-a";
const TELEGRAM_ID = 424244001;
const GB = 1024 ** 3;
const TRAFFIC_INTERVAL_MS = Number(E2E_ENV.TRAFFIC_INTERVAL_SECONDS) * 1000 + 300;

let panel: SimulatedPanel;

test.beforeAll(async () => {
  panel = await startSimulator({ version: "2.8.11" });
});
test.afterAll(async () => {
  await panel?.close();
});

function panelClient() {
  const [client] = clientsOf(panel, TELEGRAM_ID);
  if (!client) throw new Error("no client on the panel");
  return panel.state.clients(panel.inboundId).find((c) => String(c.email) === client.email)!;
}

test("an admin sells a 30-day, 50 GB plan from the users page; the panel enforces it and the traffic shows", async ({ page }, testInfo) => {
  // A cron ping also checks and reads the nodes earlier specs left behind: a few pings take a while.
  test.setTimeout(180_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await createNode(page.request, NODE, panel, 20);
  await pingUntilHealthy(page.request, [NODE]);
  const node = await nodeNamed(page.request, NODE);

  await page.goto("/users");
  await page.getByRole("button", { name: "Add user" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Add a user" });
  // A bad value is named beside its field, and nothing is created.
  await dialog.getByLabel("Telegram id").fill(String(TELEGRAM_ID));
  await dialog.getByLabel("Traffic limit, GB").fill("-5");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByText("Enter a number above 0.")).toBeVisible();

  const expires = new Date(Date.now() + 30 * 86_400_000);
  const day = `${expires.getFullYear()}-${String(expires.getMonth() + 1).padStart(2, "0")}-${String(expires.getDate()).padStart(2, "0")}`;
  await dialog.getByLabel("Username").fill("@plan_u1");
  await dialog.getByLabel("Node").selectOption(node.id);
  await dialog.getByLabel("Expires on").fill(day);
  await dialog.getByLabel("Traffic limit, GB").fill("50");
  await dialog.getByLabel("Devices").fill("2");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByText(`User ${TELEGRAM_ID} created on ${NODE}`)).toBeVisible();
  // The panel holds the plan: the whole quota, the expiry, the device limit, switched on.
  expect(panelClient()).toMatchObject({ enable: true, totalGB: 50 * GB, limitIp: 2 });
  expect(Number(panelClient().expiryTime)).toBeGreaterThan(Date.now() + 29 * 86_400_000);

  // 3 GB through the panel; the ledger reads it at the next pass.
  panel.state.recordTraffic(String(panelClient().email), GB, 2 * GB);
  await expect
    .poll(
      async () => {
        await new Promise((r) => setTimeout(r, TRAFFIC_INTERVAL_MS));
        await pingCron(page.request);
        await page.goto(`/users?q=${TELEGRAM_ID}`);
        return page.getByTestId(`user-row-${TELEGRAM_ID}`).innerText();
      },
      { timeout: 120_000, intervals: [0] },
    )
    .toMatch(/3\sGB of 50\sGB/);
  const row = page.getByTestId(`user-row-${TELEGRAM_ID}`);
  await expect(row).toContainText("Active");
  await expect(row).toContainText(NODE);
  await screenshot(page, testInfo, "users-plans");

  await row.getByRole("link", { name: String(TELEGRAM_ID) }).click();
  await expect(page.getByRole("heading", { name: "@plan_u1" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Plan and usage" })).toContainText("2 devices");
  await expect(page.getByText(/↓\s2\sGB · ↑\s1\sGB in 24h/)).toBeVisible();
  await screenshot(page, testInfo, "user-page");

  await page.goto("/");
  await expect(page.getByText("Fleet throughput")).toBeVisible();
  await expect(page.getByText("Online now")).toBeVisible();
  await expect(page.getByText("Top users by traffic").locator("xpath=ancestor::*[@data-slot='card'][1]")).toContainText("@plan_u1");
  await screenshot(page, testInfo, "overview-traffic");

  // From the node's page: its users open on the Users page filtered by the node, each on their own page.
  await page.goto(`/nodes/${node.id}`);
  await page.getByRole("link", { name: en["node.users.plans"] }).click();
  await expect(page).toHaveURL(new RegExp(`/users\\?node=${node.id}$`));
  await expect(page.getByLabel(en["users.filter.node"], { exact: true })).toHaveValue(node.id);
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toBeVisible();
  await page.goto(`/nodes/${node.id}`);
  await page.getByRole("table", { name: en["node.users.title"] }).getByRole("link", { name: String(TELEGRAM_ID) }).click();
  await expect(page.getByRole("heading", { level: 1, name: "@plan_u1" })).toBeVisible();
});

test("on a phone the users page is a list of cards: each user's id, name and status in view, nothing scrolls sideways, a selection works", async ({ browser }, testInfo) => {
  const setting = { locale: "en", viewport: "phone" } as const;
  const { width } = WALK_VIEWPORTS[setting.viewport];
  const context = await walkContext(browser, setting);
  const page = await context.newPage();
  await signInWalking(page, setting);
  await page.goto(`/users?q=${TELEGRAM_ID}`);
  const row = page.getByTestId(`user-row-${TELEGRAM_ID}`);
  // Whatever sits above the list (a banner left by another spec), the card is judged where it is.
  await row.scrollIntoViewIfNeeded();
  const identity = [row.getByRole("link", { name: String(TELEGRAM_ID) }), row.getByText("@plan_u1", { exact: true }), row.getByText("Active", { exact: true }), row.getByRole("button", { name: "Actions for @plan_u1" })];
  await expectWhollyInWindow(page, identity);
  // The row's checkbox sits beside the id, not over it.
  const checkbox = (await row.getByRole("checkbox", { name: "Select @plan_u1" }).boundingBox())!;
  const id = (await identity[0]!.boundingBox())!;
  expect(checkbox.x + checkbox.width, "the checkbox ends before the id starts").toBeLessThanOrEqual(id.x);
  // Cards, not a table to scroll: the list is no wider than its box, and each value is named.
  expect(await sidewaysScrolls(page, true)).toEqual([]);
  await expect(row.locator(`td[data-label="${en["users.col.usage"]}"]`)).toHaveText(/3\sGB of 50\sGB/);
  await page.getByRole("checkbox", { name: "Select every user on this page" }).check();
  await expect(page.getByRole("toolbar", { name: "Actions on the selected users" })).toContainText("1 selected");
  await screenshot(page, testInfo, `users-${width}`);
  await context.close();
});

test("bulk actions switch selected users off and on, on their panels, and each change is audited", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto(`/users?q=${TELEGRAM_ID}`);
  await page.getByRole("checkbox", { name: "Select @plan_u1" }).check();
  const toolbar = page.getByRole("toolbar", { name: "Actions on the selected users" });
  await expect(toolbar).toContainText("1 selected");
  await toolbar.getByRole("button", { name: "Switch off" }).click();
  await page.getByRole("alertdialog", { name: "Switch off 1 user?" }).getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("1 user changed")).toBeVisible();
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toContainText("Switched off");
  expect(panelClient()).toMatchObject({ enable: false });

  // The status filter finds them; the expiring-soon filter does not (30 days left).
  await page.goto("/users");
  await page.getByLabel("Status").selectOption("disabled");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toBeVisible();
  await page.goto(`/users?q=${TELEGRAM_ID}&expiring=1`);
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toHaveCount(0);

  await page.goto(`/users?q=${TELEGRAM_ID}`);
  await page.getByRole("button", { name: "Actions for @plan_u1" }).click();
  await page.getByRole("menuitem", { name: "Switch on" }).click();
  await page.getByRole("alertdialog", { name: "Switch on @plan_u1?" }).getByRole("button", { name: "Switch on" }).click();
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toContainText("Active");
  expect(panelClient()).toMatchObject({ enable: true });

  await page.goto("/audit");
  const audit = page.getByRole("table", { name: "Audit log" });
  await expect(audit).toContainText(en["auditAction.user.create"]);
  await expect(audit).toContainText(en["auditAction.user.plan.update"]);
  await screenshot(page, testInfo, "audit-plans");
  // The panel goes away with this spec: later specs should not check or read it.
  await setAdminState(page.request, (await nodeNamed(page.request, NODE)).id, "disabled");
});
