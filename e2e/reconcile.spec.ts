import { expect, test } from "@playwright/test";
import { en } from "../components/i18n/messages/en";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { requestKey } from "./support/fleet";
import { clientsOf, createNode, nodeNamed, pingUntilHealthy } from "./support/operations";

// Observation 9: no reconcile control in the dashboard although the README says "on demand".
let panel: SimulatedPanel;
test.beforeAll(async () => {
  panel = await startSimulator({ version: "2.9.4" });
});
test.afterAll(async () => panel.close());

test("Reconcile now puts back a client deleted on the panel by hand, and says so; the fleet run lists every node it read", async ({ page }) => {
  const TELEGRAM_ID = 717171001;
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await createNode(page.request, "rec-a", panel, 10);
  await pingUntilHealthy(page.request, ["rec-a"]);
  expect((await requestKey(page.request, { telegramId: TELEGRAM_ID })).status()).toBe(200);
  // Someone deletes the client in the panel's own UI.
  const [client] = clientsOf(panel, TELEGRAM_ID);
  panel.state.deleteClientByKey(panel.inboundId, client!.id, { refuseUnknown: true });
  expect(clientsOf(panel, TELEGRAM_ID)).toHaveLength(0);

  const node = await nodeNamed(page.request, "rec-a");
  await page.goto(`/nodes/${node.id}`);
  await page.getByRole("button", { name: en["reconcile.node"] }).click();
  const dialog = page.getByRole("dialog", { name: en["reconcile.title"] });
  await expect(dialog.getByTestId("reconcile-report")).toContainText("rec-a");
  await expect(dialog).toContainText(`${en["reconcileAction.created"]}: 1`);
  await expect(dialog).toContainText(en["reconcile.clean"]);
  expect(clientsOf(panel, TELEGRAM_ID)).toHaveLength(1);
  await dialog.getByRole("button", { name: en["common.close"] }).click();

  await page.goto("/nodes");
  await page.getByRole("button", { name: en["reconcile.fleet"] }).click();
  const fleet = page.getByRole("dialog", { name: en["reconcile.title"] });
  await expect(fleet.getByTestId("reconcile-report")).toContainText("rec-a");
  await expect(fleet.getByRole("row", { name: /rec-a/ })).toContainText(en["reconcile.nothing"]);
});
