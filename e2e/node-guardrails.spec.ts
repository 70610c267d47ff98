import { expect, test, type Page } from "@playwright/test";
import { ru } from "../components/i18n/messages/ru";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { requestKey, screenshot } from "./support/fleet";
import { signInWalking, walkContext } from "./support/walk";
import { createNode, fleetClientCount, listNodes, nodeNamed, pingUntilHealthy, setAdminState, trpcQuery } from "./support/operations";

// One careless click must not move users: drain, disable and return to service ask first and say
// what they will do; a node whose connection test fails can only be saved switched off; field
// messages come in the reader's language, and Russian takes a decimal comma.
test.describe.configure({ mode: "serial" });

const USERS = [526_000_001, 526_000_002, 526_000_003, 526_000_004, 526_000_005];
let source: SimulatedPanel;
let target: SimulatedPanel;
let spare: SimulatedPanel;

test.beforeAll(async () => {
  [source, target, spare] = await Promise.all([startSimulator({ version: "2.8.11" }), startSimulator({ version: "3.6.0" }), startSimulator({ version: "2.6.0" })]);
});
test.afterAll(async () => {
  await Promise.all([source?.close(), target?.close(), spare?.close()]);
});

async function openDrains(page: Page): Promise<number> {
  const { items } = await trpcQuery<{ items: { nodeName: string | null; kind: string }[] }>(page.request, "operations.list", { isOpen: true });
  return items.filter((o) => o.nodeName === "guard-a").length;
}

test("drain, disable and return to service ask first, naming how many users move where; cancelling changes nothing", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  // Only our two nodes take users, so the plan the dialogs show is about them alone.
  for (const node of await listNodes(page.request)) if (node.adminState !== "disabled") await setAdminState(page.request, node.id, "disabled");
  await createNode(page.request, "guard-a", source, 10);
  await createNode(page.request, "guard-b", target, 10);
  await setAdminState(page.request, (await nodeNamed(page.request, "guard-b")).id, "disabled");
  await pingUntilHealthy(page.request, ["guard-a"]);
  for (const telegramId of USERS) expect((await requestKey(page.request, { telegramId })).status()).toBe(200);
  await setAdminState(page.request, (await nodeNamed(page.request, "guard-b")).id, "active");
  await pingUntilHealthy(page.request, ["guard-a", "guard-b"]);

  await page.goto("/nodes?q=guard");
  const row = page.getByTestId("node-row-guard-a");
  await row.getByRole("button", { name: "Actions for guard-a" }).click();
  // The menu names the node it acts on.
  await expect(page.getByRole("menu")).toContainText("guard-a");
  await page.getByRole("menuitem", { name: "Drain…" }).click();
  const drain = page.getByRole("alertdialog", { name: "Drain guard-a?" });
  await expect(drain.getByTestId("node-change-impact")).toContainText("5 users will move to:");
  await expect(drain.getByTestId("node-change-impact")).toContainText("guard-b");
  await expect(drain.getByTestId("node-change-impact")).toContainText("5 users · 50% full after");
  await expect(drain.getByRole("button", { name: "Move 5 users off" })).toBeEnabled();
  await screenshot(page, testInfo, "guard-drain-confirmation");
  await drain.getByRole("button", { name: "Cancel" }).click();
  await expect(drain).toBeHidden();
  await expect(row.getByText("Active")).toBeVisible();
  expect((await nodeNamed(page.request, "guard-a")).adminState).toBe("active");
  expect(await openDrains(page)).toBe(0);
  expect(fleetClientCount(target)).toBe(0);
  expect(fleetClientCount(source)).toBe(USERS.length);

  await row.getByRole("button", { name: "Actions for guard-a" }).click();
  await page.getByRole("menuitem", { name: "Disable…" }).click();
  const disable = page.getByRole("alertdialog", { name: "Disable guard-a?" });
  await expect(disable.getByTestId("node-change-impact")).toContainText("5 users stay on guard-a");
  await screenshot(page, testInfo, "guard-disable-confirmation");
  await page.keyboard.press("Escape");
  await expect(disable).toBeHidden();
  expect((await nodeNamed(page.request, "guard-a")).adminState).toBe("active");

  // From the node's page: drain for real, then the return to service names the drain it stops.
  await row.getByRole("link", { name: "guard-a" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "guard-a" })).toBeVisible();
  await page.getByRole("button", { name: "Drain…" }).click();
  await page.getByRole("alertdialog", { name: "Drain guard-a?" }).getByRole("button", { name: "Move 5 users off" }).click();
  await expect(page.getByRole("button", { name: "Return to service…" })).toBeVisible();
  expect(await openDrains(page)).toBe(1);
  await page.getByRole("button", { name: "Return to service…" }).click();
  const back = page.getByRole("alertdialog", { name: "Return guard-a to service?" });
  await expect(back.getByTestId("node-change-impact")).toContainText("The drain in progress stops: 0 of 5 users have moved; the 5 still on guard-a stay there.");
  await screenshot(page, testInfo, "guard-return-confirmation");
  await back.getByRole("button", { name: "Cancel" }).click();
  expect((await nodeNamed(page.request, "guard-a")).adminState).toBe("draining");
  await page.getByRole("button", { name: "Return to service…" }).click();
  await back.getByRole("button", { name: "Return to service" }).click();
  await expect(page.getByRole("button", { name: "Drain…" })).toBeVisible();
  expect((await nodeNamed(page.request, "guard-a")).adminState).toBe("active");
  expect(await openDrains(page)).toBe(0);
});

test("a node whose connection test fails is offered only a switched-off save", async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/nodes");
  await page.getByRole("button", { name: "Add node" }).click();
  const form = page.getByRole("form", { name: "Add node" });
  await form.getByLabel(/^Name/).fill("guard-dead");
  await form.getByLabel("Panel URL").fill("http://127.0.0.1:1/");
  await form.getByLabel("Panel username").fill("admin");
  await form.getByLabel("Panel password").fill("admin");
  await form.getByLabel("TLS").selectOption("skip");
  await form.getByLabel("Inbound").fill("1");
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(form.getByRole("status")).toHaveText("Nothing answers at 127.0.0.1:1 — is the panel running, and is the port right?");
  await expect(form.getByTestId("connection-failed")).toBeVisible();
  await expect(form.getByRole("button", { name: "Save disabled" })).toBeVisible();
  await expect(form.getByRole("button", { name: "Add node", exact: true })).toHaveCount(0);
  await screenshot(page, testInfo, "guard-connection-failed");
  await form.getByRole("button", { name: "Save disabled" }).click();
  await expect(page.getByTestId("node-row-guard-dead").getByText("Disabled")).toBeVisible();

  // A wrong password found by the save's own test: the field says why, and the only save left is switched off.
  await page.getByRole("button", { name: "Add node" }).click();
  await form.getByLabel(/^Name/).fill("guard-wrong");
  await form.getByLabel("Panel URL").fill(spare.url);
  await form.getByLabel("Panel username").fill(spare.username);
  await form.getByLabel("Panel password").fill("not-the-password");
  await form.getByLabel("TLS").selectOption("skip");
  await form.getByLabel("Inbound").fill(String(spare.inboundId));
  await form.getByRole("button", { name: "Add node", exact: true }).click();
  await expect(form.getByRole("button", { name: "Save disabled" })).toBeVisible();
  await expect(form.getByText(/refused the username and password/).first()).toBeVisible();
  // Fixing the connection brings the plain save back: the server tests it again.
  await form.getByLabel("Panel password").fill(spare.password);
  await expect(form.getByRole("button", { name: "Add node", exact: true })).toBeVisible();
  await expect(form.getByRole("button", { name: "Save disabled" })).toHaveCount(0);
  await form.getByRole("button", { name: "Cancel" }).click();
  expect((await listNodes(page.request)).some((n) => n.name === "guard-wrong")).toBe(false);
});

test("field messages in Russian, never a validation library's English, and a weight of 1,5", async ({ browser }, testInfo) => {
  // A sign-in's first render and a save with its connection test: over a minute on a loaded machine.
  test.setTimeout(120_000);
  const setting = { locale: "ru", viewport: "desktop" } as const;
  const context = await walkContext(browser, setting);
  const page = await context.newPage();
  // Signed in only once the overview shows: going on sooner can leave without the session cookie.
  await signInWalking(page, setting);
  await page.goto("/nodes");
  await page.getByRole("button", { name: ru["nodes.add"] }).click();
  const form = page.getByRole("form", { name: ru["nodeForm.addLabel"] });
  await form.getByLabel(ru["nodeForm.maxUsers"]).fill("");
  await form.getByRole("button", { name: ru["nodeForm.addLabel"], exact: true }).click();
  await expect(form.getByText(ru["validation.required"]).first()).toBeVisible();
  const text = await form.innerText();
  for (const english of ["Invalid input", "expected", "received", "NaN", "undefined", "is required"]) expect(text).not.toContain(english);
  await screenshot(page, testInfo, "guard-ru-field-messages");

  await form.getByLabel(new RegExp(`^${ru["nodeForm.name"]}`)).fill("guard-comma");
  await form.getByLabel(ru["nodeForm.panelUrl"]).fill(spare.url);
  await form.getByLabel(ru["nodeForm.panelUsername"]).fill(spare.username);
  await form.getByLabel(ru["nodeForm.panelPassword"]).fill(spare.password);
  await form.getByLabel(ru["nodeForm.tls"]).selectOption("skip");
  await form.getByLabel(ru["nodeForm.inbound"]).fill(String(spare.inboundId));
  await form.getByLabel(ru["nodeForm.maxUsers"]).fill("10");
  await form.getByLabel(ru["nodeForm.weight"]).fill("1,5");
  await form.getByRole("button", { name: ru["nodeForm.addLabel"], exact: true }).click();
  await expect(page.getByTestId("node-row-guard-comma")).toBeVisible();
  const saved = (await trpcQuery<{ name: string; weight: number }[]>(page.request, "nodes.list")).find((n) => n.name === "guard-comma");
  expect(saved?.weight).toBe(1.5);
  await context.close();
});
