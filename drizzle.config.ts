import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` is used: migrations are committed and applied by server/db/migrate.ts.
export default defineConfig({
  dialect: "postgresql",
  schema: "./server/db/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
});
