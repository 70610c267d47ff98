import { expect, test, type Page } from "@playwright/test";
import { en } from "../components/i18n/messages/en";
import { ru } from "../components/i18n/messages/ru";
import { signInAs } from "./support/auth";
import { E2E_OWNER, E2E_PORT } from "./support/e2e-env";

// Each language's tagline appears in its dictionary and nowhere else, so finding it in a served
// script means that language's messages were downloaded.
const EN_MARK = en["app.tagline"];
const RU_MARK = ru["app.tagline"];

/** What the page runs: the text of each distinct script it loads, and the errors it throws or logs. */
function watch(page: Page) {
  const bodies = new Map<string, Promise<string>>();
  const errors: string[] = [];
  page.on("response", (response) => {
    if (response.request().resourceType() === "script") bodies.set(response.url(), response.text().catch(() => ""));
  });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  return {
    errors,
    scriptsContaining: async (text: string) => (await Promise.all(bodies.values())).filter((body) => body.includes(text)).length,
  };
}

test("an English page downloads only the English messages; switching to Russian brings the Russian ones", async ({ page }) => {
  const loaded = watch(page);
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  expect(await loaded.scriptsContaining(EN_MARK)).toBe(1);
  expect(await loaded.scriptsContaining(RU_MARK)).toBe(0);

  await page.getByRole("button", { name: en["locale.toggle"] }).click();
  await page.getByRole("menuitemradio", { name: "Русский" }).click();
  await expect(page.getByRole("heading", { level: 1, name: ru["nav.overview"] })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "ru");
  await expect(page.getByRole("button", { name: ru["locale.toggle"] })).toBeVisible();
  expect(await loaded.scriptsContaining(RU_MARK)).toBe(1);
  expect(loaded.errors).toEqual([]);
});

test("a Russian reader downloads only the Russian messages, and server-rendered text is Russian too", async ({ browser }) => {
  const context = await browser.newContext();
  await context.addCookies([{ name: "locale", value: "ru", url: `http://127.0.0.1:${E2E_PORT}` }]);
  const page = await context.newPage();
  const loaded = watch(page);
  await page.goto("/login");
  await expect(page.getByText(ru["login.heading"])).toBeVisible();
  await expect(page).toHaveTitle(new RegExp(ru["login.title"]));
  await page.getByLabel(ru["common.username"]).fill(E2E_OWNER.username);
  await page.getByLabel(ru["common.password"]).fill(E2E_OWNER.password);
  await page.getByRole("button", { name: ru["login.submit"] }).click();
  // As in signInAs: password hashing and the overview's first render share a busy machine's CPU.
  await expect(page.getByRole("heading", { level: 1, name: ru["nav.overview"] })).toBeVisible({ timeout: 30_000 });
  await page.goto("/nodes");
  await expect(page.getByRole("heading", { level: 1, name: ru["nav.nodes"] })).toBeVisible();
  expect(await loaded.scriptsContaining(RU_MARK)).toBe(1);
  expect(await loaded.scriptsContaining(EN_MARK)).toBe(0);
  expect(loaded.errors).toEqual([]);
  await context.close();
});
