import { expect, test, type Page } from "@playwright/test";
import { startSimulator, type SimulatedPanel } from "../server/x3ui/simulator";
import { signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";
import { pingCron, requestKey } from "./support/fleet";
import { createNode, trpcMutation } from "./support/operations";

// Observation 5 (no CSP, no frame-ancestors, no HSTS, no nosniff) and 10 (API misses not JSON),
// checked on the production server in a real browser.
test.describe.configure({ mode: "serial" });

let panel: SimulatedPanel;
test.beforeAll(async () => {
  panel = await startSimulator({ version: "2.8.11" });
});
test.afterAll(async () => {
  await panel.close();
});

/** Collects every CSP violation a page reports, from the console and from the DOM event. */
async function watchCsp(page: Page): Promise<() => Promise<string[]>> {
  const fromConsole: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect|frame)/i.test(message.text())) fromConsole.push(message.text());
  });
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return async () => [...fromConsole, ...(await page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []))];
}

function expectPageHeaders(headers: Record<string, string>) {
  const csp = headers["content-security-policy"] ?? "";
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).not.toContain("'unsafe-inline'");
  expect(scriptSrc).not.toContain("'unsafe-eval'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("same-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  expect(headers["x-frame-options"]).toBe("DENY");
}

test("pages, the API and subscriptions carry the security headers; HSTS over https", async ({ request }) => {
  const login = await request.get("/login");
  expectPageHeaders(login.headers());
  const again = await request.get("/login");
  expect(again.headers()["content-security-policy"]).not.toBe(login.headers()["content-security-policy"]);
  expect(login.headers()["strict-transport-security"]).toBeUndefined();

  for (const path of ["/api/ping", "/sub/not-a-token-0000000000000000"]) {
    const headers = (await request.get(path)).headers();
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  }
  const overTls = await request.get("/login", { headers: { "x-forwarded-proto": "https" } });
  expect(overTls.headers()["strict-transport-security"]).toMatch(/max-age=\d+/);
});

test("the sign-in form works before its scripts run: a plain form post keeps its Origin under the referrer policy", async ({ browser }) => {
  // Under "no-referrer" the browser sent Origin: null, and Next refused the server action with a 500.
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_OWNER.username);
  await page.getByLabel("Password").fill(E2E_OWNER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Signed in and sent to the dashboard (without scripts its streamed parts stay as placeholders).
  await expect(page).toHaveURL(/\/$/, { timeout: 30_000 });
  await expect(page.getByRole("navigation", { name: "Main navigation" })).toBeVisible();
  await context.close();
});

test("API misses answer JSON: 404 for an unknown path, 405 with Allow for a wrong method", async ({ request }) => {
  const unknown = await request.get("/api/bot/nope");
  expect(unknown.status()).toBe(404);
  expect(await unknown.json()).toEqual({ code: "NOT_FOUND", message: "No API route at this path." });
  const wrongMethod = await request.get("/api/bot/keys");
  expect(wrongMethod.status()).toBe(405);
  expect(wrongMethod.headers()["allow"]).toBe("POST, OPTIONS");
  expect((await wrongMethod.json()).code).toBe("METHOD_NOT_ALLOWED");
  const tooLarge = await request.post("/api/bot/keys", {
    headers: { authorization: "Bearer e2e-bot-token-0123456789", "content-type": "application/json" },
    data: JSON.stringify({ telegramId: 1, padding: "x".repeat(64 * 1024) }),
  });
  expect(tooLarge.status()).toBe(413);
  expect((await tooLarge.json()).code).toBe("PAYLOAD_TOO_LARGE");
});

test("every page runs under the policy with no violation: scripts, theme, charts, dialogs, QR codes", async ({ page }) => {
  const violations = await watchCsp(page);
  const login = await page.goto("/login");
  expectPageHeaders(login!.headers());
  // next-themes' inline script ran (it carries the nonce): the theme class is on <html> before hydration.
  await expect(page.locator("html")).toHaveClass(/light|dark/);
  expect(await violations()).toEqual([]);

  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const node = await createNode(page.request, "csp-node", panel, 10);
  await pingCron(page.request);
  const telegramId = 515_000_001;
  expect((await requestKey(page.request, { telegramId, username: "csp_user" })).status()).toBe(200);

  for (const path of ["/", "/nodes", `/nodes/${node.id}`, "/users", `/users/${telegramId}`, "/operations", "/audit", "/settings"]) {
    const response = await page.goto(path);
    expect(response!.status(), path).toBe(200);
    expectPageHeaders(response!.headers());
    await page.waitForLoadState("networkidle");
    expect(await violations(), path).toEqual([]);
  }

  // Client-side work under the policy: a dialog, a revealed key drawn as QR codes.
  await page.goto(`/users?q=${telegramId}`);
  await page.getByRole("button", { name: "Actions for @csp_user" }).click();
  await page.getByRole("menuitem", { name: "Key, QR and placement" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Show key and subscription" }).click();
  await expect(page.getByRole("img", { name: /Key QR code/ })).toBeVisible();
  expect(await violations()).toEqual([]);
  await trpcMutation(page.request, "nodes.setAdminState", { id: node.id, adminState: "disabled" });
});
