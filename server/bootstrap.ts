/**
 * Start-up work of the server process (called from instrumentation.ts): open and migrate the
 * database, create the first owner when there is no admin, start the in-process cron if enabled.
 */
import { getDatabaseHandle } from "@/server/db";
import { getEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { ensureInitialOwner } from "@/server/services/admins/manage-admins";
import { startAppInternalCron } from "@/server/services/cron/app-cron";

export async function bootstrap(): Promise<void> {
  const env = getEnv();
  const { db, kind } = await getDatabaseHandle();
  logger.info("database ready", { kind, dataDir: kind === "pglite" ? env.DATA_DIR : undefined });

  const owner = await ensureInitialOwner({ db }, { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD });
  if (owner.created) {
    const lines = [
      "First start: created the owner account.",
      `  username: ${owner.username}`,
      owner.generatedPassword ? `  password: ${owner.generatedPassword}` : "  password: the one in ADMIN_PASSWORD",
      owner.generatedPassword ? "  This password is shown only now. Change it later with `npm run admin -- reset-password`." : "",
    ].filter(Boolean);
    process.stdout.write(`\n${lines.join("\n")}\n\n`);
  }

  if (env.INTERNAL_CRON_SECONDS > 0) {
    startAppInternalCron();
    logger.info("in-process health sweep started", { everySeconds: env.INTERNAL_CRON_SECONDS });
  }
}
