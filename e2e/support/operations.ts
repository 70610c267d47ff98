/** Helpers for the operations e2e: tRPC calls for setup and checks, simulator look-ups, subscription reads. */
import { expect, type APIRequestContext } from "@playwright/test";
import type { SimulatedPanel } from "../../server/x3ui/simulator";
import { E2E_ENV } from "./e2e-env";
import { pingCron } from "./fleet";

/** Health checks are due again after HEALTH_INTERVAL_SECONDS (see e2e-env.ts). */
export const CHECK_INTERVAL_MS = Number(E2E_ENV.HEALTH_INTERVAL_SECONDS) * 1000 + 300;

type TrpcReply<T> = { result?: { data: { json: T } }; error?: { json: { message: string } } };

async function unwrap<T>(response: Awaited<ReturnType<APIRequestContext["get"]>>, what: string): Promise<T> {
  const body = (await response.json()) as TrpcReply<T>;
  if (!response.ok() || !body.result) throw new Error(`${what} failed (${response.status()}): ${body.error?.json.message ?? JSON.stringify(body)}`);
  return body.result.data.json;
}

/** A tRPC query with the page's session (the caller must be signed in). */
export async function trpcQuery<T>(request: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return unwrap<T>(await request.get(`/api/trpc/${path}${query}`), path);
}

export async function trpcMutation<T>(request: APIRequestContext, path: string, input: unknown): Promise<T> {
  return unwrap<T>(await request.post(`/api/trpc/${path}`, { data: { json: input } }), path);
}

export type NodeRow = {
  id: string;
  name: string;
  adminState: "active" | "draining" | "disabled";
  healthState: string;
  reservedCount: number;
  maxUsers: number;
};

export const listNodes = (request: APIRequestContext) => trpcQuery<NodeRow[]>(request, "nodes.list");

export async function nodeNamed(request: APIRequestContext, name: string): Promise<NodeRow> {
  const node = (await listNodes(request)).find((n) => n.name === name);
  if (!node) throw new Error(`no node named ${name}`);
  return node;
}

/** Setup only (the add-node form has its own e2e in dashboard.spec.ts). */
export async function createNode(request: APIRequestContext, name: string, panel: SimulatedPanel, maxUsers: number, location = "Testland"): Promise<NodeRow> {
  return trpcMutation<NodeRow>(request, "nodes.create", {
    name,
    location,
    panelUrl: panel.url,
    panelUsername: panel.username,
    panelPassword: panel.password,
    inboundId: panel.inboundId,
    tlsMode: "skip",
    maxUsers,
  });
}

export const setAdminState = (request: APIRequestContext, id: string, adminState: NodeRow["adminState"]) =>
  trpcMutation<NodeRow>(request, "nodes.setAdminState", { id, adminState });

/** Pings the cron (one health sweep per check interval) until every named node is healthy. Bounded. */
export async function pingUntilHealthy(request: APIRequestContext, names: string[]) {
  await expect
    .poll(
      async () => {
        await pingCron(request);
        const nodes = await listNodes(request);
        const healthy = names.filter((name) => nodes.find((n) => n.name === name)?.healthState === "healthy");
        if (healthy.length < names.length) await new Promise((r) => setTimeout(r, CHECK_INTERVAL_MS));
        return healthy.sort();
      },
      { timeout: 4 * CHECK_INTERVAL_MS + 10_000, intervals: [0] },
    )
    .toEqual([...names].sort());
}

/**
 * The Telegram id in an email the fleet issued (`fleet-<telegram id>-<node tag>-<assignment tag>`), or
 * undefined for any other client. Anchored at both ends: a node tag is hex and may end in a letter.
 */
function issuedTelegramId(email: string): number | undefined {
  const match = /^fleet-(\d+)-(?:[0-9a-f]{12}-)?[0-9a-f]{12}$/.exec(email);
  return match ? Number(match[1]) : undefined;
}

/** The panel clients the fleet made for one Telegram user. */
export function clientsOf(panel: SimulatedPanel, telegramId: number): { email: string; id: string }[] {
  return panel.state
    .clients(panel.inboundId)
    .map((c) => ({ email: String(c.email), id: String(c.id ?? c.password ?? "") }))
    .filter((c) => issuedTelegramId(c.email) === telegramId);
}

/** Number of fleet-made clients on a panel, one per user with a key there. */
export function fleetClientCount(panel: SimulatedPanel): number {
  return panel.state.clients(panel.inboundId).filter((c) => issuedTelegramId(String(c.email)) !== undefined).length;
}

/** GET a subscription URL as a VPN app would: the links it carries (base64 body, one link a line). */
export async function subscriptionLinks(request: APIRequestContext, url: string): Promise<{ status: number; links: string[] }> {
  const response = await request.get(url);
  const text = Buffer.from(await response.text(), "base64").toString("utf8");
  return { status: response.status(), links: text.split("\n").filter(Boolean) };
}

export type BotKey = { telegramId: number; key: string; subscriptionUrl: string; node: { name: string } };
