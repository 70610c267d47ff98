import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextVitals,
  ...nextTypescript,
  { ignores: [".next/**", ".next-*/**", "node_modules/**", ".data/**", "drizzle/**", "next-env.d.ts", "playwright-report/**", "test-results/**"] },
  {
    rules: {
      // Env is validated once in server/env.ts; reading process.env elsewhere bypasses that.
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Use getEnv() from server/env.ts." }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Files that legitimately read the environment: the validator, test/bench/CLI harnesses and tool configs.
    files: ["server/env.ts", "server/testing/**", "scripts/**", "e2e/**", "*.config.ts", "*.config.mjs", "**/*.test.ts"],
    rules: { "no-restricted-properties": "off" },
  },
];

export default config;
