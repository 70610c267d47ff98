import { expect, test, type Page } from "@playwright/test";
import { en } from "../components/i18n/messages/en";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_ENV, E2E_OWNER } from "./support/e2e-env";
import { pingCron, requestKey, screenshot } from "./support/fleet";

test.describe.configure({ mode: "serial" });

const VIEWER = { username: "e2e-dash-viewer", password: "e2e-dash-viewer-password" };
const TELEGRAM_ID = 424242001;
// Checks are due again after HEALTH_INTERVAL_SECONDS (see e2e-env.ts): wait that long between pings.
const CHECK_INTERVAL_MS = Number(E2E_ENV.HEALTH_INTERVAL_SECONDS) * 1000 + 300;

let alpha: SimulatedPanel;
let beta: SimulatedPanel;

test.beforeAll(async () => {
  alpha = await startSimulator({ version: "2.8.11" });
  beta = await startSimulator({ version: "3.6.0" });
});
test.afterAll(async () => {
  await Promise.all([alpha?.close(), beta?.close()]);
});

async function addNodeThroughForm(page: Page, name: string, panel: SimulatedPanel, maxUsers: number) {
  await page.goto("/nodes");
  await page.getByRole("button", { name: "Add node" }).click();
  const form = page.getByRole("form", { name: "Add node" });
  await form.getByLabel(/^Name/).fill(name);
  await form.getByLabel("Location").fill("Testland");
  await form.getByLabel("Panel URL").fill(panel.url);
  await form.getByLabel("Panel username").fill(panel.username);
  await form.getByLabel("Panel password").fill(panel.password);
  await form.getByLabel("TLS").selectOption("skip");
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByTestId("test-connection-result")).toContainText(`v${panel.version}`);
  await form.getByLabel("Inbound").selectOption(String(panel.inboundId));
  await form.getByLabel("Max users").fill(String(maxUsers));
  await form.getByLabel("Max standbys").fill(String(maxUsers / 2));
  await form.getByRole("button", { name: "Add node" }).click();
  await expect(page.getByTestId(`node-row-${name}`)).toBeVisible();
}

test("an admin adds nodes through the form and sees them healthy after a cron ping", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/nodes");
  await expect(page.getByText("No nodes yet")).toBeVisible();

  // A field error shows beside its field.
  await page.getByRole("button", { name: "Add node" }).click();
  const form = page.getByRole("form", { name: "Add node" });
  await form.getByLabel("Panel URL").fill("ftp://example.com/");
  await form.getByRole("button", { name: "Add node" }).click();
  await expect(form.getByText("must start with http:// or https://")).toBeVisible();
  await screenshot(page, testInfo, "nodes-add-form-error");
  await form.getByRole("button", { name: "Cancel" }).click();

  await addNodeThroughForm(page, "e2e-alpha", alpha, 50);
  await screenshot(page, testInfo, "nodes-after-add");
  await addNodeThroughForm(page, "e2e-beta", beta, 50);

  // Both capacities are kept, and the edit form shows them.
  await page.getByTestId("node-row-e2e-alpha").getByRole("button", { name: "Actions for e2e-alpha", includeHidden: true }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit e2e-alpha" });
  await expect(edit.getByLabel("Max users")).toHaveValue("50");
  await expect(edit.getByLabel("Max standbys")).toHaveValue("25");
  await edit.getByRole("button", { name: "Cancel" }).click();

  await pingCron(page.request);
  await page.reload();
  await expect(page.getByTestId("node-row-e2e-alpha").getByText("Healthy")).toBeVisible();
  await expect(page.getByTestId("node-row-e2e-beta").getByText("Healthy")).toBeVisible();
  await expect(page.getByTestId("node-row-e2e-alpha")).toContainText("v2.8.11");
  await screenshot(page, testInfo, "nodes");

  await page.goto("/");
  await expect(page.getByTestId("sweep-banner")).toHaveCount(0);
  await expect(page.getByRole("group", { name: "Healthy nodes", exact: true })).toContainText("2of 2 enabled");
  await screenshot(page, testInfo, "overview");
});

test("the bot route issues a key and the users page shows it", async ({ page }, testInfo) => {
  const response = await requestKey(page.request, { telegramId: TELEGRAM_ID, username: "e2e_alice" });
  expect(response.status()).toBe(200);
  const key = (await response.json()) as { key: string; subscriptionUrl: string; node: { name: string } };
  expect(key.key).toMatch(/^vless:\/\//);

  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/users");
  await page.getByLabel("Telegram id or username").fill(String(TELEGRAM_ID));
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByTestId(`user-row-${TELEGRAM_ID}`);
  await expect(row).toContainText(key.node.name);
  await expect(row).toContainText("@e2e_alice");
  await expect(row).toContainText("issued");
  // The list never carries keys or subscription URLs; the owner reveals them in the details.
  expect(await page.content()).not.toContain(key.key);
  expect(await page.content()).not.toContain(key.subscriptionUrl);
  await screenshot(page, testInfo, "users");

  await row.getByRole("button", { name: `Actions for @e2e_alice` }).click();
  await page.getByRole("menuitem", { name: "Key, QR and placement" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Show key and subscription" }).click();
  await expect(dialog.getByRole("img", { name: /Subscription QR code/ })).toBeVisible();
  await expect(dialog.getByTestId("revealed-key")).toHaveAttribute("title", key.key);
  await expect(dialog.getByTestId("revealed-subscription")).toHaveAttribute("title", key.subscriptionUrl);
  await expect(dialog.getByText("Placed by the balancer")).toBeVisible();
  await screenshot(page, testInfo, "user-details");

  // The user's own page names the node, not the key or the subscription URL.
  await page.goto(`/users/${TELEGRAM_ID}`);
  await expect(page.getByRole("heading", { level: 1, name: "@e2e_alice" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Plan and usage" })).toContainText(key.node.name);
  expect(await page.content()).not.toContain(key.key);
  expect(await page.content()).not.toContain(key.subscriptionUrl);
});

test("a stopped panel turns its node unhealthy and its user moves to the other node", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const before = (await (await requestKey(page.request, { telegramId: TELEGRAM_ID })).json()) as { node: { name: string } };
  const [deadName, survivorName] = before.node.name === "e2e-alpha" ? ["e2e-alpha", "e2e-beta"] : ["e2e-beta", "e2e-alpha"];
  await (deadName === "e2e-alpha" ? alpha : beta).faults.down();

  await expect
    .poll(
      async () => {
        await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
        await pingCron(page.request);
        const now = (await (await page.request.get(`/api/bot/users/${TELEGRAM_ID}`, { headers: { authorization: `Bearer ${E2E_ENV.BOT_API_TOKEN}` } })).json()) as {
          node?: { name: string };
        };
        return now.node?.name;
      },
      { timeout: 60_000, intervals: [0] },
    )
    .toBe(survivorName);

  await page.goto("/nodes");
  await expect(page.getByTestId(`node-row-${deadName}`).getByText("Unhealthy")).toBeVisible();
  await page.getByTestId(`node-row-${deadName}`).getByRole("link", { name: deadName }).click();
  await expect(page.getByRole("heading", { name: deadName })).toBeVisible();
  await expect(page.getByText("Unhealthy").first()).toBeVisible();
  await screenshot(page, testInfo, "node-unhealthy");

  await page.goto(`/users?q=${TELEGRAM_ID}`);
  await expect(page.getByTestId(`user-row-${TELEGRAM_ID}`)).toContainText(survivorName);
  await page.goto("/");
  await screenshot(page, testInfo, "overview-after-failover");
});

test("an admin drains a node", async ({ page }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/nodes");
  const row = page.getByTestId("node-row-e2e-beta");
  await row.getByRole("button", { name: "Actions for e2e-beta" }).click();
  await page.getByRole("menuitem", { name: "Drain…" }).click();
  // e2e-alpha is down: the drain's one user has nowhere to go, and the confirmation says so.
  const confirm = page.getByRole("alertdialog", { name: "Drain e2e-beta?" });
  await expect(confirm.getByTestId("node-change-impact")).toContainText("1 user fits on no other node and stays on e2e-beta for now.");
  await confirm.getByRole("button", { name: "Drain e2e-beta" }).click();
  await expect(row.getByText("Draining")).toBeVisible();
  await screenshot(page, testInfo, "nodes-draining");

  await page.goto("/audit");
  await expect(page.getByRole("table", { name: "Audit log" })).toContainText(en["auditAction.node.drain"]);
  await screenshot(page, testInfo, "audit");
  await page.goto("/settings");
  await expect(page.getByRole("form", { name: "Thresholds" })).toBeVisible();
  await screenshot(page, testInfo, "settings");
  await page.goto("/operations");
  await expect(page.getByTestId("operation-drain")).toBeVisible();
  await screenshot(page, testInfo, "operations");
  await page.getByTestId("operation-failover").getByRole("link").first().click();
  await expect(page.getByRole("table", { name: "Per-user outcomes" })).toContainText(String(TELEGRAM_ID));
  await screenshot(page, testInfo, "operation-failover");

  // The dark theme follows the system setting by default.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto("/");
  await screenshot(page, testInfo, "overview-dark");
});

test("a viewer sees no mutation controls and the server refuses their mutations", async ({ page, browser }, testInfo) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const created = await page.request.post("/api/trpc/admins.create", { data: { json: { ...VIEWER, role: "viewer" } } });
  expect(created.status()).toBe(200);

  const context = await browser.newContext();
  const viewer = await context.newPage();
  await signInAs(viewer, VIEWER.username, VIEWER.password);
  await viewer.goto("/nodes");
  await expect(viewer.getByTestId("node-row-e2e-alpha")).toBeVisible();
  await expect(viewer.getByRole("button", { name: "Add node" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: /Actions for/ })).toHaveCount(0);
  await screenshot(viewer, testInfo, "nodes-viewer");
  await viewer.goto(`/users?q=${TELEGRAM_ID}`);
  await viewer.getByRole("button", { name: "Actions for @e2e_alice" }).click();
  await expect(viewer.getByRole("menuitem", { name: "Revoke key" })).toHaveCount(0);
  await viewer.getByRole("menuitem", { name: "Key, QR and placement" }).click();
  await expect(viewer.getByRole("dialog")).toContainText("Keys and subscription URLs are shown to admins only.");
  await expect(viewer.getByRole("button", { name: "Show key and subscription" })).toHaveCount(0);
  await viewer.keyboard.press("Escape");
  // Not just hidden: the API gives a viewer no key and no subscription URL.
  const listed = await viewer.request.get("/api/trpc/users.search?input=" + encodeURIComponent(JSON.stringify({ json: { query: String(TELEGRAM_ID) } })));
  expect(listed.status()).toBe(200);
  expect(await listed.text()).not.toMatch(/vless:\/\/|\/sub\//);
  const reveal = await viewer.request.post("/api/trpc/users.revealKey", { data: { json: { telegramId: TELEGRAM_ID } } });
  expect(reveal.status()).toBe(403);

  const nodes = await viewer.request.get("/api/trpc/stats.nodeRows?input=" + encodeURIComponent(JSON.stringify({ json: {} })));
  const nodeId = ((await nodes.json()) as { result: { data: { json: { items: { id: string }[] } } } }).result.data.json.items[0]!.id;
  const drain = await viewer.request.post("/api/trpc/nodes.setAdminState", { data: { json: { id: nodeId, adminState: "draining" } } });
  expect(drain.status()).toBe(403);
  const revoke = await viewer.request.post("/api/trpc/users.revokeKey", { data: { json: { telegramId: TELEGRAM_ID } } });
  expect(revoke.status()).toBe(403);
  await context.close();
});
