import { expect, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { signIn, signInAs } from "./support/auth";
import { E2E_OWNER } from "./support/e2e-env";

test.describe.configure({ mode: "serial" });

test("a wrong password is refused and the right one gets in", async ({ page }) => {
  await signIn(page, E2E_OWNER.username, "not-the-password");
  await expect(page.getByTestId("login-error")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/login/);

  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await expect(page.getByText(E2E_OWNER.username).first()).toBeVisible();
});

test("a dashboard page without a session sends the visitor to the login page", async ({ page }) => {
  await page.goto("/nodes");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fnodes/);
});

test("an owner adds a viewer, and the server refuses the viewer an owner-only action", async ({ page, browser }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Add admin" });
  await form.getByLabel("Username").fill("e2e-viewer");
  await form.getByLabel("Password").fill("short");
  await form.getByRole("button", { name: "Add admin" }).click();
  await expect(form.getByText("must be at least 10 characters")).toBeVisible();
  await form.getByLabel("Password").fill("e2e-viewer-password");
  await form.getByRole("button", { name: "Add admin" }).click();
  await expect(page.getByRole("cell", { name: "e2e-viewer" })).toBeVisible();

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await signInAs(viewer, "e2e-viewer", "e2e-viewer-password");
  // Settings is everyone's own account; the admins list and the thresholds are the owner's.
  await viewer.goto("/settings");
  await expect(viewer.getByRole("form", { name: "Change password" })).toBeVisible();
  await expect(viewer.getByRole("form", { name: "Add admin" })).toHaveCount(0);
  const response = await viewer.request.post("/api/trpc/admins.create", {
    data: { json: { username: "sneaky", password: "sneaky-password", role: "owner" } },
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).not.toContain("stack");
  await viewerContext.close();
});

test("sign-out ends the session", async ({ page }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  await page.getByRole("button", { name: /sign out/i }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
});

test("repeated wrong passwords are throttled, even before the right one", async ({ page }) => {
  for (let i = 0; i < 5; i++) {
    await signIn(page, "e2e-viewer", `wrong-password-${i}`);
    await expect(page.getByTestId("login-error")).toHaveText("Wrong username or password.");
  }
  await signIn(page, "e2e-viewer", "e2e-viewer-password");
  await expect(page.getByTestId("login-error")).toContainText("Too many failed attempts");
});

test("sign-out revokes the session: a copy of the old cookie no longer works", async ({ page, browser }) => {
  // Observation 8: the JWT stayed valid for up to 12 hours after sign-out.
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: /sign out/i }).click();
  await expect(page).toHaveURL(/\/login/);

  const replay = await browser.newContext();
  await replay.addCookies(cookies);
  const copy = await replay.newPage();
  await copy.goto("/");
  await expect(copy).toHaveURL(/\/login/);
  expect((await copy.request.get("/api/trpc/admins.me")).status()).toBe(401);
  await replay.close();
});

test("an admin changes their own password in Settings: the current one is required, other sessions end", async ({ page, browser }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  expect((await page.request.post("/api/trpc/admins.create", { data: { json: { username: "e2e-pw", password: "e2e-pw-password-1", role: "viewer" } } })).status()).toBe(200);

  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await signInAs(elsewhere, "e2e-pw", "e2e-pw-password-1");
  const here = await (await browser.newContext()).newPage();
  await signInAs(here, "e2e-pw", "e2e-pw-password-1");

  await here.goto("/settings");
  const form = here.getByRole("form", { name: "Change password" });
  await form.getByLabel("Current password").fill("not-my-password");
  await form.locator("input[name=newPassword]").fill("e2e-pw-password-2");
  await form.getByLabel("New password again").fill("e2e-pw-password-2");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("is not your current password")).toBeVisible();
  await form.getByLabel("Current password").fill("e2e-pw-password-1");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(here.getByText("Password changed; your other sessions are signed out")).toBeVisible();

  await here.goto("/");
  await expect(here.getByRole("heading", { name: "Overview" })).toBeVisible({ timeout: 30_000 });
  await elsewhere.goto("/");
  await expect(elsewhere).toHaveURL(/\/login/);
  await signInAs(elsewhere, "e2e-pw", "e2e-pw-password-2");
  await other.close();
});

test("two-factor: enrol with the QR's secret in Settings, then sign in with the password and a code, or a recovery code", async ({ page, browser }) => {
  await signInAs(page, E2E_OWNER.username, E2E_OWNER.password);
  expect((await page.request.post("/api/trpc/admins.create", { data: { json: { username: "e2e-2fa", password: "e2e-2fa-password", role: "admin" } } })).status()).toBe(200);

  const context = await browser.newContext();
  const admin = await context.newPage();
  await signInAs(admin, "e2e-2fa", "e2e-2fa-password");
  await admin.goto("/settings");
  await admin.getByRole("button", { name: "Set up two-factor" }).click();
  await expect(admin.getByRole("img", { name: "QR code to add this account to an authenticator app" })).toBeVisible();
  const secret = (await admin.getByTestId("totp-secret").textContent())!.trim();
  const totp = new TOTP({ secret: Secret.fromBase32(secret) });
  await admin.getByLabel("Code from the app").fill(totp.generate());
  await admin.getByRole("button", { name: "Turn on" }).click();
  await expect(admin.getByTestId("recovery-codes").getByRole("listitem")).toHaveCount(10);
  const recoveryCode = (await admin.getByTestId("recovery-codes").getByRole("listitem").first().textContent())!.trim();
  await admin.getByRole("button", { name: /sign out/i }).click();

  // The password alone is not enough; the next code (the one used to enrol is spent) gets in.
  await signIn(admin, "e2e-2fa", "e2e-2fa-password");
  await expect(admin.getByTestId("login-error")).toHaveText("Enter the 6-digit code from your authenticator app, or a recovery code.");
  await admin.getByLabel("Authentication code").fill("000000");
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByTestId("login-error")).toHaveText("Wrong or already used code.");
  await admin.getByLabel("Authentication code").fill(totp.generate({ timestamp: Date.now() + 30_000 }));
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByRole("heading", { name: "Overview" })).toBeVisible({ timeout: 30_000 });
  await admin.getByRole("button", { name: /sign out/i }).click();

  await signIn(admin, "e2e-2fa", "e2e-2fa-password");
  await admin.getByLabel("Authentication code").fill(recoveryCode);
  await admin.getByRole("button", { name: "Sign in" }).click();
  await expect(admin.getByRole("heading", { name: "Overview" })).toBeVisible({ timeout: 30_000 });
  await admin.goto("/settings");
  await expect(admin.getByText("9 recovery codes left")).toBeVisible();
  await context.close();
});
