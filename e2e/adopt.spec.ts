import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { en } from "../components/i18n/messages/en";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_ENV, E2E_OWNER } from "./support/e2e-env";
import { requestKey } from "./support/fleet";
import { createNode, nodeNamed, pingUntilHealthy, trpcMutation } from "./support/operations";

// Issue 18: an operator brings a populated panel's users in from the node page, keys unchanged.
let panel: SimulatedPanel;
test.beforeAll(async () => {
  panel = await startSimulator({ version: "3.6.0" });
});
test.afterAll(async () => panel.close());

const handMade = (email: string, tgId = 0) => ({ id: randomUUID(), email, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId, subId: "", comment: "", reset: 0 });
const t = (key: keyof typeof en, params: Record<string, string | number> = {}) => {
  const forms = en[key].split("|");
  const form = "count" in params && Number(params.count) !== 1 && forms[1] ? forms[1] : forms[0]!;
  return form.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name]));
};

test("Adopt existing clients: a rule, the preview with its counts and conflicts, a raised limit, then adopt; the bot gets the operator's key unchanged", async ({ page }) => {
  const clients = [handMade("alice", 818181001), handMade("bob", 818181002), handMade("carol", 818181003), handMade("twin-1", 818181009), handMade("twin-2", 818181009), handMade("guest")];
  panel.state.addClients(panel.inboundId, clients);
  const before = structuredClone(panel.state.clients(panel.inboundId));
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await createNode(page.request, "adopt-a", panel, 2);
  await pingUntilHealthy(page.request, ["adopt-a"]);
  const node = await nodeNamed(page.request, "adopt-a");
  await page.goto(`/nodes/${node.id}`);

  // A pattern without a group is refused at its field.
  await page.getByLabel(en["adopt.rule"]).selectOption("emailRegex");
  await page.getByLabel(en["adopt.pattern"]).fill("^tg_\\d+$");
  await page.getByRole("button", { name: en["adopt.preview"] }).click();
  await expect(page.getByText("needs a group that captures the Telegram id")).toBeVisible();

  await page.getByLabel(en["adopt.rule"]).selectOption("tgId");
  await page.getByRole("button", { name: en["adopt.preview"] }).click();
  const preview = page.getByTestId("adopt-preview");
  const counts = preview.getByRole("list", { name: en["adopt.countsLabel"] });
  await expect(counts).toContainText(t("adopt.count.adopt", { count: 3 }));
  await expect(counts).toContainText(t("adopt.count.duplicate", { count: 2 }));
  await expect(counts).toContainText(t("adopt.count.unmappable", { count: 2 }));
  await expect(preview.getByRole("row", { name: /^twin-1 / })).toContainText(t("adopt.note.duplicate", { emails: "twin-2" }));
  await expect(preview).toContainText(t("adopt.room", { free: 2, max: 2, count: 3 }));
  // Three do not fit in two: the limit is raised in the same step.
  await expect(page.getByLabel(en["adopt.raise"])).toHaveValue("3");
  await page.getByRole("button", { name: t("adopt.confirm", { count: 3 }) }).click();
  await expect(page.getByRole("status").filter({ hasText: t("adopt.done", { count: 3 }) })).toBeVisible();

  expect(panel.state.clients(panel.inboundId)).toEqual(before);
  const key = await requestKey(page.request, { telegramId: 818181001 });
  expect(key.status()).toBe(200);
  expect(((await key.json()) as { key: string }).key).toContain(clients[0]!.id);
  expect((await nodeNamed(page.request, "adopt-a")).maxUsers).toBe(3);

  // A second preview has nothing left to adopt.
  await page.getByRole("button", { name: en["adopt.preview"] }).click();
  await expect(page.getByTestId("adopt-preview").getByRole("list", { name: en["adopt.countsLabel"] })).toContainText(t("adopt.count.adopt", { count: 0 }));
  await expect(page.getByRole("button", { name: t("adopt.confirm", { count: 0 }) })).toBeDisabled();

  // The specs share one database and later ones start from an empty fleet: revoke and remove what this one made.
  for (const telegramId of [818181001, 818181002, 818181003]) {
    const revoked = await page.request.delete(`/api/bot/keys/${telegramId}`, { headers: { authorization: `Bearer ${E2E_ENV.BOT_API_TOKEN}` } });
    expect(revoked.status()).toBe(200);
  }
  await trpcMutation(page.request, "nodes.delete", { id: node.id });
});
