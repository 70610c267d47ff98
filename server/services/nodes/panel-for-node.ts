/**
 * Builds the PanelClient for a node row: decrypts its credentials, applies its TLS mode and the
 * request timeout, and wraps it so every call first re-checks the panel address (SSRF guard).
 * Clients are cached per node id and `updatedAt`: a client keeps its panel session between
 * calls, and any edit of the node (which bumps updatedAt) yields a fresh one. Health writes never
 * touch updatedAt, so the cache survives sweeps.
 *
 * Other services take a `PanelClientFactory` as a collaborator; tests pass their own.
 */
import type { Node } from "@/server/db/schema";
import { decryptSecret, type KeyRing } from "@/server/crypto/secret-box";
import { PanelError, type PanelClient, type PanelClientConfig, type PanelGeneration, PANEL_GENERATIONS } from "@/server/x3ui/types";
import { findPanelAddressProblem, type PanelAddressPolicy } from "./panel-address-guard";

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

export function panelConfigForNode(node: Node, options: { keyRing: KeyRing; timeoutMs: number }): PanelClientConfig {
  const secret = readPanelSecret(options.keyRing, node);
  return {
    baseUrl: node.panelUrl,
    username: node.panelUsername ?? undefined,
    password: secret.password,
    apiToken: secret.apiToken,
    tls: { mode: node.tlsMode, spkiSha256: node.tlsPinSha256 ?? undefined },
    timeoutMs: options.timeoutMs,
    generation: knownGeneration(node.apiGeneration),
  };
}

/** Every call first checks that the panel's host still resolves to an allowed address. */
export function guardPanelClient(inner: PanelClient, baseUrl: string, policy: PanelAddressPolicy): PanelClient {
  const guarded =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const problem = await findPanelAddressProblem(baseUrl, policy);
      if (problem) throw new PanelError("unreachable", `panel address refused: ${problem}`);
      return call(...args);
    };
  return {
    get generation() {
      return inner.generation;
    },
    detect: guarded(() => inner.detect()),
    listInbounds: guarded(() => inner.listInbounds()),
    getInbound: guarded((id: number) => inner.getInbound(id)),
    listClients: guarded((id: number) => inner.listClients(id)),
    getClient: guarded((id: number, email: string) => inner.getClient(id, email)),
    addClient: guarded((id: number, client: Parameters<PanelClient["addClient"]>[1]) => inner.addClient(id, client)),
    updateClient: guarded((id: number, email: string, patch: Parameters<PanelClient["updateClient"]>[2]) =>
      inner.updateClient(id, email, patch),
    ),
    deleteClient: guarded((id: number, email: string) => inner.deleteClient(id, email)),
    getClientTraffic: guarded((email: string) => inner.getClientTraffic(email)),
    getServerStatus: guarded(() => inner.getServerStatus()),
    getOnlineClients: guarded(() => inner.getOnlineClients()),
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
    const config = panelConfigForNode(node, deps);
    const client = guardPanelClient(deps.createClient(config), config.baseUrl, deps.addressPolicy);
    cache.set(node.id, { updatedAtMs: node.updatedAt.getTime(), client });
    return client;
  };
}
