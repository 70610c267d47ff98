// createPanelClient: the PanelClient for one node. It detects the API
// generation once (or trusts the one the caller persisted), then delegates
// the generation-specific calls to an adapter. Generations: docs/x3ui-compat.md.

import { z } from "zod";

import { createG4Adapter } from "./adapters/g4";
import { createLegacyAdapter } from "./adapters/legacy";
import type { AdapterContext, GenerationAdapter } from "./adapters/adapter";
import { parseOrThrow, rawClients, toInbound, toInboundClient, toInboundSummary, toServerStatus } from "./adapters/parse";
import { PanelSession, type Envelope } from "./session";
import {
  PanelError,
  type Inbound,
  type PanelClient,
  type PanelClientConfig,
  type PanelDetection,
  type PanelGeneration,
} from "./types";

const VERSION_IN_ASSETS = /\.(?:css|js)\?v?(\d+\.\d+\.\d+)/;
const VERSION_IN_SHELL = /X_UI_CUR_VER\s*=\s*["']([^"']+)["']/;

const panelVersionSchema = z.object({ panelVersion: z.string() });

/** A status detection read that getServerStatus would have answered the same way; none when it would have thrown. */
function usableStatus(envelope: Envelope, latencyMs: number): Pick<PanelDetection, "status"> {
  if (!envelope.success) return {};
  try {
    return { status: { value: toServerStatus(envelope.obj), latencyMs } };
  } catch {
    return {};
  }
}

export function createPanelClient(config: PanelClientConfig): PanelClient {
  const session = new PanelSession(config);
  let generation: PanelGeneration | undefined = config.generation;
  let detection: PanelDetection | null = null;
  let adapter: GenerationAdapter | null = null;
  let detecting: Promise<PanelDetection> | null = null;

  async function getInbound(inboundId: number): Promise<Inbound> {
    const envelope = await session.call({ method: "GET", path: `panel/api/inbounds/get/${inboundId}` });
    if (envelope.obj === null) throw new PanelError("not_found", `inbound ${inboundId} not found`);
    return toInbound(envelope.obj);
  }

  const context: AdapterContext = { session, getInbound };

  async function detect(): Promise<PanelDetection> {
    // v2 shows its version in the login page's asset URLs; ask before signing in.
    const loginPage = await session.raw({ method: "GET", path: "", accept: "text/html", anonymous: true });
    const assetVersion = VERSION_IN_ASSETS.exec(loginPage.body)?.[1] ?? null;
    // Signing in starts with the CSRF probe, whose answer tells v3 from older panels: asked once.
    const isSigningIn = !session.usesToken && !session.isSignedIn;
    if (isSigningIn) await session.signIn();
    const isV3 = session.usesToken || session.hasCsrfToken;

    const started = performance.now();
    const statusCall = { method: "GET", path: "panel/api/server/status" } as const;
    const status = await session.callAllowingRefusal(statusCall, { mayRelogin: !isSigningIn }).catch((error: unknown) => {
      // ≤v2.6 has no such route: 404 even with a valid session.
      if (!isV3 && error instanceof PanelError && error.status === 404) return null;
      throw error;
    });
    const latencyMs = Math.round(performance.now() - started);
    if (status === null) return { generation: "g2", version: assetVersion };

    const read = usableStatus(status, latencyMs);
    const panelVersion = panelVersionSchema.safeParse(status.obj);
    if (panelVersion.success) return { generation: "g4", version: panelVersion.data.panelVersion, ...read };
    if (!isV3) return { generation: "g3", version: assetVersion, ...read };
    // v3.0.x vs a v3.1+ whose status snapshot is not ready: probe the clients API.
    const probe = await session
      .callAllowingRefusal({ method: "GET", path: "panel/api/clients/list/paged?page=1&pageSize=1" })
      .then(() => true)
      .catch((error: unknown) => {
        if (error instanceof PanelError && error.status === 404) return false;
        throw error;
      });
    if (probe) return { generation: "g4", version: null };
    const shell = await session.raw({ method: "GET", path: "panel/", accept: "text/html" });
    return { generation: "g3", version: VERSION_IN_SHELL.exec(shell.body)?.[1] ?? null };
  }

  function adapterFor(g: PanelGeneration): GenerationAdapter {
    return g === "g4" ? createG4Adapter(context) : createLegacyAdapter(context, g);
  }

  async function ready(): Promise<GenerationAdapter> {
    if (adapter) return adapter;
    if (generation) return (adapter = adapterFor(generation));
    const found = await client.detect();
    return (adapter = adapterFor(found.generation));
  }

  const client: PanelClient = {
    get generation() {
      return generation;
    },

    async detect() {
      if (detection) return detection;
      // Concurrent first calls share one detection.
      detecting ??= detect().finally(() => {
        detecting = null;
      });
      const detected = await detecting;
      detection = { generation: detected.generation, version: detected.version };
      if (generation !== detection.generation) adapter = null;
      generation = detection.generation;
      return detected;
    },

    async listInbounds() {
      const a = await ready();
      const envelope = await session.call({ method: "GET", path: a.inboundListPath });
      return parseOrThrow(z.array(z.unknown()).nullable(), envelope.obj, "inbound list")?.map(toInboundSummary) ?? [];
    },

    getInbound,

    async listClients(inboundId) {
      const inbound = await getInbound(inboundId);
      return rawClients(inbound.settings).map(toInboundClient);
    },

    getClient: async (inboundId, email) => (await ready()).getClient(inboundId, email),
    addClient: async (inboundId, newClient) => (await ready()).addClient(inboundId, newClient),
    updateClient: async (inboundId, email, patch) => (await ready()).updateClient(inboundId, email, patch),
    deleteClient: async (inboundId, email) => (await ready()).deleteClient(inboundId, email),
    getClientTraffic: async (email) => (await ready()).getClientTraffic(email),
    listClientTraffic: async (inboundIds) => (await ready()).listClientTraffic(inboundIds),
    getServerStatus: async () => (await ready()).getServerStatus(),
    getOnlineClients: async () => (await ready()).getOnlineClients(),
  };
  return client;
}
