import { expect, type Page } from "@playwright/test";

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInAs(page: Page, username: string, password: string) {
  await signIn(page, username, password);
  // Sign-in plus the first server render of the overview: on a loaded 2-core machine this has taken
  // more than the 10 s default, and a slow first page is not what these specs test.
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible({ timeout: 30_000 });
}
