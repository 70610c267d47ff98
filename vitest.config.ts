import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", ".next/**", "e2e/**", "**/*.contract.test.ts"],
    globalSetup: ["./server/testing/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Failure-path tests make the code warn on purpose; only errors are worth reading in a test run.
    env: { LOG_LEVEL: "error" },
    server: { deps: { inline: ["next-auth"] } },
  },
});
