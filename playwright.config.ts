import { defineConfig } from "@playwright/test";
import { E2E_ENV, E2E_PORT } from "./e2e/support/e2e-env";

const baseURL = `http://127.0.0.1:${E2E_PORT}`;

// End-to-end tests run against the production build (`npm run build` first) on a fresh local database.
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  // Pages render server-side on a CI machine that is often busy with other builds: give a page 20 s to show.
  expect: { timeout: 20_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      // Debian's Chromium: Playwright's own browser download cannot work on these machines.
      executablePath: "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    },
  },
  webServer: {
    command: "./node_modules/.bin/tsx e2e/support/serve.ts",
    url: `${baseURL}/api/ping`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: E2E_ENV,
  },
});
