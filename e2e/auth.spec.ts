import { expect, test } from "@playwright/test";
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
  await viewer.goto("/settings");
  await expect(viewer).toHaveURL(/\/$/);
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
