/**
 * Start-up work of the server process (called from instrumentation.ts): build the app context
 * (which opens and migrates the database), create the first owner when there is no admin, start
 * the in-process cron if enabled.
 */
import { getAppContext } from "@/server/composition/app-context";
import { startAppInternalCron } from "@/server/composition/cron";
import { getEnv } from "@/server/env";
import { firstStartBanner } from "@/server/first-start-banner";
import { ensureInitialOwner } from "@/server/services/admins/manage-admins";

export async function bootstrap(): Promise<void> {
  const env = getEnv();
  const app = await getAppContext();
  app.logger.info("database ready", { kind: env.isEmbeddedDb ? "pglite" : "postgres", dataDir: env.isEmbeddedDb ? env.DATA_DIR : undefined });

  const owner = await ensureInitialOwner(app, { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD });
  if (owner.created) {
    process.stdout.write(firstStartBanner({ url: env.PUBLIC_URL, username: owner.username, generatedPassword: owner.generatedPassword }));
  }

  if (app.config.cron.internalIntervalSeconds > 0) {
    startAppInternalCron(app);
    app.logger.info("in-process health sweep started", { everySeconds: app.config.cron.internalIntervalSeconds });
  }
}
