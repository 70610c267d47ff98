/**
 * The app context for tests: the production wiring (server/composition) over a test database,
 * with a fixed test env and whatever collaborators the test passes instead (a simulated fleet's
 * panel factory, a pinned clock, a config with the secrets the test wants).
 */
import { randomBytes } from "node:crypto";
import { createAppContext, type AppContext } from "@/server/composition/app-context";
import type { Database } from "@/server/db/client";
import { parseEnv } from "@/server/env";

const TEST_PUBLIC_URL = "https://fleet.example.com";

export function createTestAppContext(
  db: Database,
  options: { env?: Record<string, string>; overrides?: Partial<AppContext> } = {},
): AppContext {
  const env = parseEnv({
    NODE_ENV: "test",
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    PANEL_SECRET_KEYS: `t1:${randomBytes(32).toString("base64")}`,
    PUBLIC_URL: TEST_PUBLIC_URL,
    // Simulated panels listen on 127.0.0.1, which the SSRF guard refuses unless private panels are allowed.
    ALLOW_PRIVATE_PANELS: "true",
    INTERNAL_CRON_SECONDS: "0",
    ...options.env,
  });
  return createAppContext(env, db, options.overrides);
}
