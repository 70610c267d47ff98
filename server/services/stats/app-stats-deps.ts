import type { Database } from "@/server/db/client";
import { getEnv } from "@/server/env";
import { systemClock } from "../clock";
import { getSettings, settingsDefaultsFromEnv } from "../settings/settings";
import type { StatsDeps } from "./stats-deps";

/** The app's stats collaborators: the health interval comes from Settings, falling back to the env. */
export async function appStatsDeps(db: Database): Promise<StatsDeps> {
  const settings = await getSettings(db, settingsDefaultsFromEnv(getEnv()));
  return { db, clock: systemClock, healthIntervalSeconds: settings.health.intervalSeconds };
}
