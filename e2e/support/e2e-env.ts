/** The environment the e2e server runs with; tests import the same values to sign in and call routes. */
// E2E_PORT lets two checkouts run their e2e suites side by side.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3210);
export const E2E_OWNER = { username: "e2e-owner", password: "e2e-owner-password" };

export const E2E_ENV: Record<string, string> = {
  NODE_ENV: "production",
  PORT: String(E2E_PORT),
  DATABASE_URL: process.env.E2E_DATABASE_URL ?? "postgres://postgres:postgres@127.0.0.1:5432/fleet_e2e",
  AUTH_SECRET: "e2e-auth-secret-0123456789abcdef0123456789",
  PANEL_SECRET_KEYS: "e2e:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  PUBLIC_URL: `http://127.0.0.1:${E2E_PORT}`,
  ADMIN_USERNAME: E2E_OWNER.username,
  ADMIN_PASSWORD: E2E_OWNER.password,
  BOT_API_TOKEN: "e2e-bot-token-0123456789",
  CRON_SECRET: "e2e-cron-secret-0123456789",
  ALLOW_PRIVATE_PANELS: "true",
  INTERNAL_CRON_SECONDS: "0",
  HEALTH_TIMEOUT_MS: "1500",
  // Fast hysteresis and no failover grace, so the dashboard e2e sees a dead node declared and its users moved in a few pings.
  HEALTH_INTERVAL_SECONDS: "5",
  HEALTH_FALL: "2",
  HEALTH_FALL_WINDOW_SECONDS: "0",
  FAILOVER_GRACE_SECONDS: "0",
  // The ledger reads a node again after this long (its minimum), so a plan e2e sees traffic within a ping or two.
  TRAFFIC_INTERVAL_SECONDS: "10",
  NEXT_TELEMETRY_DISABLED: "1",
  // Every spec signs in from 127.0.0.1: room for the whole suite; the per-(account, address) limit stays at its default.
  RATE_LIMIT_SIGN_IN_PER_ADDRESS: "500",
};
