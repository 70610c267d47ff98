import { expect, test, type Locator, type Page } from "@playwright/test";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { createNode, type NodeRow } from "./support/operations";

// Menus, dialogs and tabs driven by the keyboard alone, checked by role, focus and ARIA wiring.
test.describe.configure({ mode: "serial" });

let panel: SimulatedPanel;
let node: NodeRow;

test.beforeAll(async ({ browser }) => {
  panel = await startSimulator({ version: "3.6.0" });
  const page = await browser.newPage();
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  node = await createNode(page.request, "kbd-node", panel, 10);
  await page.close();
});
test.afterAll(async () => {
  await panel?.close();
});

/**
 * Focuses `target` and presses `key` until `focused` has the focus: until the page has hydrated,
 * a key press reaches no handler, and a busy machine can take a moment to get there.
 */
async function pressWhenReady(page: Page, target: Locator, key: string, focused: Locator) {
  await expect(async () => {
    await target.focus();
    await page.keyboard.press(key);
    await expect(focused).toBeFocused({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

test("the theme menu opens, moves, chooses and closes from the keyboard, and focus returns to its button", async ({ page }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  // includeHidden: while a modal menu is open, the rest of the page is hidden from assistive technology.
  const trigger = page.getByRole("button", { name: "Change theme", includeHidden: true });
  const menu = page.getByRole("menu");

  await pressWhenReady(page, trigger, "Enter", menu.getByRole("menuitemradio", { name: "Light" }));
  await expect(menu).toBeVisible();
  await expect(trigger).toHaveAttribute("aria-expanded", "true");
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitemradio", { name: "Dark" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(menu).toBeHidden();
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
  await expect(trigger).toBeFocused();

  // An arrow key opens it too; Escape leaves without choosing.
  await page.keyboard.press("ArrowDown");
  await expect(menu.getByRole("menuitemradio", { name: "Dark" })).toHaveAttribute("aria-checked", "true");
  await page.keyboard.press("End");
  await expect(menu.getByRole("menuitemradio", { name: "System" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(menu).toBeHidden();
  await expect(trigger).toBeFocused();
  await expect(trigger).toHaveAttribute("aria-expanded", "false");
  await expect(page.locator("html")).toHaveClass(/\bdark\b/);
});

test("a row's action menu opens a dialog from the keyboard, and closing it gives focus back to the menu button", async ({ page }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/nodes");
  const trigger = page.getByTestId(`node-row-${node.name}`).getByRole("button", { name: `Actions for ${node.name}`, includeHidden: true });

  await pressWhenReady(page, trigger, "Enter", page.getByRole("menuitem", { name: "Edit" }));
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("dialog", { name: `Edit ${node.name}` });
  await expect(dialog).toBeVisible();
  await expect(page.getByRole("menu")).toHaveCount(0);
  await expect(dialog.getByLabel(/^Name/)).toHaveValue(node.name);
  // Focus is inside the dialog and Tab keeps it there.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press("Tab");
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(trigger).toBeFocused();
});

async function expectTabsControlPanels(page: Page, tablist: Locator) {
  const tabs = tablist.getByRole("tab");
  for (const tab of await tabs.all()) {
    const panelId = await tab.getAttribute("aria-controls");
    expect(panelId).toBeTruthy();
    const tabPanel = page.locator(`[id="${panelId}"]`);
    await expect(tabPanel).toHaveAttribute("role", "tabpanel");
    await expect(tabPanel).toHaveAttribute("aria-labelledby", (await tab.getAttribute("id"))!);
    if ((await tab.getAttribute("aria-selected")) === "true") await expect(tabPanel).toBeVisible();
    else await expect(tabPanel).toBeHidden();
  }
}

// What the selected panel holds: the charts the range drives.
const PANEL_TEXT = { overview: "Latency per node", "node page": "Healthy" } as const;

for (const where of ["overview", "node page"] as const) {
  test(`the range tabs on the ${where} switch with arrow keys and each controls a tab panel`, async ({ page }) => {
    await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
    if (where === "node page") await page.goto(`/nodes/${node.id}`);
    const tablist = page.getByRole("tablist", { name: "Time range" });
    const tab = (name: string) => tablist.getByRole("tab", { name, exact: true });

    await expect(tab("24h")).toHaveAttribute("aria-selected", "true");
    await expectTabsControlPanels(page, tablist);
    await pressWhenReady(page, tab("24h"), "ArrowRight", tab("7d"));
    await expect(tab("7d")).toHaveAttribute("aria-selected", "true");
    await expect(tab("24h")).toHaveAttribute("aria-selected", "false");
    await page.keyboard.press("End");
    await expect(tab("30d")).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowRight");
    await expect(tab("24h")).toBeFocused();
    await expect(tab("24h")).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowLeft");
    await expect(tab("30d")).toHaveAttribute("aria-selected", "true");
    await expectTabsControlPanels(page, tablist);
    // Only the selected tab is in the Tab order; the next stop is its panel.
    await page.keyboard.press("Tab");
    const selectedPanel = page.locator(`[id="${await tab("30d").getAttribute("aria-controls")}"]`);
    await expect(selectedPanel).toBeFocused();
    await expect(selectedPanel).toContainText(PANEL_TEXT[where]);
  });
}

test("an icon-only button shows its name in a tooltip on keyboard focus, and Escape hides it", async ({ page }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const signOut = page.getByRole("button", { name: "Sign out" });
  const tooltip = page.getByRole("tooltip");
  await expect(async () => {
    await signOut.focus();
    await expect(tooltip).toHaveText("Sign out", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(signOut).toHaveAttribute("aria-describedby", (await tooltip.getAttribute("id"))!);
  await page.keyboard.press("Escape");
  await expect(tooltip).toHaveCount(0);
  await expect(signOut).toBeFocused();
});
