/**
 * Builds the PanelClient for a node row: decrypts its credentials, applies its TLS mode, the
 * request timeout and the SSRF guard (checked on the address each connection actually reaches).
 * Clients are cached per node id and `updatedAt`: a client keeps its panel session between
 * calls, and any edit of the node (which bumps updatedAt) yields a fresh one. Health writes never
 * touch updatedAt, so the cache survives sweeps.
 *
 * Other services take a `PanelClientFactory` as a collaborator; tests pass their own.
 */
import type { Node } from "@/server/db/schema";
import { decryptSecret, type KeyRing } from "@/server/crypto/secret-box";
import { type PanelClient, type PanelClientConfig, type PanelGeneration, PANEL_GENERATIONS } from "@/server/x3ui/types";
import { isPublicAddress, type PanelAddressPolicy } from "./panel-address-guard";

export type PanelClientFactory = (node: Node) => PanelClient;

/** The x3ui constructor (server/x3ui/client.ts), injectable for tests. */
export type CreatePanelClient = (config: PanelClientConfig) => PanelClient;

/** What `nodes.panel_secret_enc` holds once decrypted. */
export type PanelSecret = { password?: string; apiToken?: string };

export function secretAad(nodeId: string): string {
  return `node:${nodeId}`;
}

export function readPanelSecret(keyRing: KeyRing, node: Pick<Node, "id" | "panelSecretEnc">): PanelSecret {
  if (!node.panelSecretEnc) return {};
  return JSON.parse(decryptSecret(keyRing, node.panelSecretEnc, secretAad(node.id))) as PanelSecret;
}

function knownGeneration(value: string | null): PanelGeneration | undefined {
  return PANEL_GENERATIONS.find((g) => g === value);
}

/** The connect-time address check for a policy: none when private panels are allowed. */
export function addressCheckFor(policy: PanelAddressPolicy): PanelClientConfig["allowAddress"] {
  return policy.allowPrivate ? undefined : isPublicAddress;
}

function panelConfigForNode(
  node: Node,
  options: { keyRing: KeyRing; timeoutMs: number; addressPolicy: PanelAddressPolicy },
): PanelClientConfig {
  const secret = readPanelSecret(options.keyRing, node);
  return {
    baseUrl: node.panelUrl,
    username: node.panelUsername ?? undefined,
    password: secret.password,
    apiToken: secret.apiToken,
    tls: { mode: node.tlsMode, spkiSha256: node.tlsPinSha256 ?? undefined },
    timeoutMs: options.timeoutMs,
    generation: knownGeneration(node.apiGeneration),
    allowAddress: addressCheckFor(options.addressPolicy),
  };
}

export function createPanelClientFactory(deps: {
  keyRing: KeyRing;
  timeoutMs: number;
  createClient: CreatePanelClient;
  addressPolicy: PanelAddressPolicy;
}): PanelClientFactory {
  const cache = new Map<string, { updatedAtMs: number; client: PanelClient }>();
  return (node) => {
    const cached = cache.get(node.id);
    if (cached && cached.updatedAtMs === node.updatedAt.getTime()) return cached.client;
    const client = deps.createClient(panelConfigForNode(node, deps));
    cache.set(node.id, { updatedAtMs: node.updatedAt.getTime(), client });
    return client;
  };
}
