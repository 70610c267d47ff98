// `npm run test:contract`: the panel contract against a real panel (see
// server/x3ui/contract/panel.contract.test.ts). No database, no global setup.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["server/x3ui/**/*.contract.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
