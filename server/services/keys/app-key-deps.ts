/** The key services' collaborators in the running app: the process-wide panel factory and env. */
import type { Database } from "@/server/db/client";
import { getEnv } from "@/server/env";
import { getPanelClientFactory } from "@/server/services/nodes/app-node-deps";
import type { KeyDeps } from "./key-deps";

export function appKeyDeps(db: Database): KeyDeps {
  return { db, panelFor: getPanelClientFactory(), publicUrl: getEnv().PUBLIC_URL };
}
