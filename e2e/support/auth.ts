import { expect, type Page } from "@playwright/test";

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInAs(page: Page, username: string, password: string) {
  await signIn(page, username, password);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
}
