/** Helpers for the dashboard e2e: cron pings, bot calls and screenshots saved as test artifacts. */
import { expect, type APIRequestContext, type Page, type TestInfo } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { E2E_ENV } from "./e2e-env";

/** One health sweep (plus the failover and reconcile steps the cron route runs after it). */
export async function pingCron(request: APIRequestContext) {
  const response = await request.post("/api/cron/health", { headers: { authorization: `Bearer ${E2E_ENV.CRON_SECRET}` } });
  expect(response.status()).toBe(200);
  return response.json() as Promise<Record<string, unknown>>;
}

export async function requestKey(request: APIRequestContext, body: { telegramId: number; username?: string }) {
  return request.post("/api/bot/keys", { headers: { authorization: `Bearer ${E2E_ENV.BOT_API_TOKEN}` }, data: body });
}

const SCREENSHOT_DIR = path.join("test-results", "screenshots");

/** A full-page screenshot, attached to the report and kept under test-results/screenshots/. */
export async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}
