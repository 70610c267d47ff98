/**
 * The app's collaborators for the node services, read from the validated env: the key ring,
 * the SSRF policy, and one process-wide PanelClientFactory (so panel sessions are reused across
 * requests and sweeps). Tests build their own deps instead.
 */
import type { Database } from "@/server/db/client";
import { getPanelKeyRing } from "@/server/crypto/panel-keys";
import { getEnv } from "@/server/env";
import { createPanelClient } from "@/server/x3ui/client";
import { dnsResolver, type PanelAddressPolicy } from "./panel-address-guard";
import { createPanelClientFactory, type PanelClientFactory } from "./panel-for-node";
import type { NodeServiceDeps } from "./save-node";
import type { TestConnectionDeps } from "./test-connection";

export function appPanelAddressPolicy(): PanelAddressPolicy {
  return { allowPrivate: getEnv().ALLOW_PRIVATE_PANELS, resolve: dnsResolver };
}

let appFactory: PanelClientFactory | undefined;

/** Panel clients for health checks and key flows; requests time out after HEALTH_TIMEOUT_MS. */
export function getPanelClientFactory(): PanelClientFactory {
  appFactory ??= createPanelClientFactory({
    keyRing: getPanelKeyRing(),
    timeoutMs: getEnv().HEALTH_TIMEOUT_MS,
    createClient: createPanelClient,
    addressPolicy: appPanelAddressPolicy(),
  });
  return appFactory;
}

export function appNodeDeps(db: Database): NodeServiceDeps & TestConnectionDeps {
  return {
    db,
    keyRing: getPanelKeyRing(),
    addressPolicy: appPanelAddressPolicy(),
    createClient: createPanelClient,
    timeoutMs: getEnv().HEALTH_TIMEOUT_MS,
  };
}
