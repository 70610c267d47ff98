/** The reconciler's collaborators in the running app, from the validated env. */
import type { Database } from "@/server/db/client";
import { getEnv } from "@/server/env";
import { getPanelClientFactory } from "@/server/services/nodes/app-node-deps";
import type { ReconcileDeps } from "./reconcile-node";

export function appReconcileDeps(db: Database, startedBy = "system"): ReconcileDeps {
  const env = getEnv();
  return {
    db,
    panelFor: getPanelClientFactory(),
    graceMs: env.RECONCILE_GRACE_SECONDS * 1000,
    maxActions: env.RECONCILE_MAX_ACTIONS,
    startedBy,
  };
}
