// The contract every panel (simulated or real) must honour through
// createPanelClient. Runs inside `npm test` against the simulator of each
// generation (contract.test.ts) and against a real panel with
// `npm run test:contract` (panel.contract.test.ts). It only creates clients
// whose email starts with a run-specific prefix and deletes them afterwards.

import { randomBytes, randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createPanelClient } from "../client";
import { isPanelError, type NewClient, type PanelClient, type PanelClientConfig, type PanelGeneration } from "../types";

export const CONTRACT_EMAIL_PREFIX = "x3ui-contract-";

export interface ContractTarget {
  config: PanelClientConfig;
  inboundId: number;
  /** When known (the simulator), detection must report it. */
  expectedGeneration?: PanelGeneration;
  /** A config with a wrong password; omitted for token-only targets. */
  wrongPasswordConfig?: PanelClientConfig;
}

export function defineContractSuite(name: string, connect: () => Promise<ContractTarget>, disconnect?: () => Promise<void>): void {
  describe(`panel contract: ${name}`, () => {
    const prefix = `${CONTRACT_EMAIL_PREFIX}${randomBytes(3).toString("hex")}-`;
    let target: ContractTarget;
    let panel: PanelClient;
    let protocol = "";
    let counter = 0;

    const newClient = (extra: Partial<NewClient> = {}): NewClient => {
      const email = `${prefix}${++counter}`;
      const secret = protocol === "vless" || protocol === "vmess" ? { id: randomUUID() } : { password: randomBytes(16).toString("hex") };
      return { email, ...secret, ...extra };
    };

    beforeAll(async () => {
      target = await connect();
      panel = createPanelClient(target.config);
      protocol = (await panel.getInbound(target.inboundId)).protocol;
    });

    afterAll(async () => {
      if (panel) {
        const leftovers = (await panel.listClients(target.inboundId)).filter((c) => c.email.startsWith(prefix));
        for (const client of leftovers) await panel.deleteClient(target.inboundId, client.email);
      }
      await disconnect?.();
    });

    it("detects the generation and lists the inbound", async () => {
      const detection = await panel.detect();
      if (target.expectedGeneration) expect(detection.generation).toBe(target.expectedGeneration);
      expect(panel.generation).toBe(detection.generation);
      const inbounds = await panel.listInbounds();
      const inbound = inbounds.find((i) => i.id === target.inboundId);
      expect(inbound).toBeDefined();
      expect(inbound?.protocol).toBe(protocol);
      expect(inbound?.clientCount).toBeGreaterThanOrEqual(1);
    });

    it("adds a client with our identity and reads it back", async () => {
      const client = newClient({ totalBytes: 5 * 1024 ** 3, expiryTime: -86_400_000, subId: `${prefix}sub${counter}` });
      await panel.addClient(target.inboundId, client);
      const read = await panel.getClient(target.inboundId, client.email.toUpperCase());
      expect(read).toMatchObject({
        email: client.email,
        id: client.id ?? "",
        enable: true,
        totalBytes: 5 * 1024 ** 3,
        expiryTime: -86_400_000,
      });
      if (client.password) expect(read?.password).toBe(client.password);
      const listed = await panel.listClients(target.inboundId);
      expect(listed.filter((c) => c.email === client.email)).toHaveLength(1);
    });

    it("refuses a duplicate email panel-wide, case-insensitively", async () => {
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      const again = newClient({ email: client.email.toUpperCase() });
      const error = await panel.addClient(target.inboundId, again).catch((e: unknown) => e);
      expect(isPanelError(error, "duplicate")).toBe(true);
      const listed = await panel.listClients(target.inboundId);
      expect(listed.filter((c) => c.email.toLowerCase() === client.email.toLowerCase())).toHaveLength(1);
    });

    it("updates by read-modify-write without losing the identity", async () => {
      const client = newClient({ comment: "before", totalBytes: 1000 });
      await panel.addClient(target.inboundId, client);
      await panel.updateClient(target.inboundId, client.email, { comment: "after", enable: false });
      const read = await panel.getClient(target.inboundId, client.email);
      expect(read).toMatchObject({ comment: "after", enable: false, totalBytes: 1000, id: client.id ?? "" });
      if (client.password) expect(read?.password).toBe(client.password);
    });

    it("reports not_found for unknown clients and null for their traffic", async () => {
      const ghost = `${prefix}ghost`;
      expect(await panel.getClient(target.inboundId, ghost)).toBeNull();
      expect(await panel.getClientTraffic(ghost)).toBeNull();
      const update = await panel.updateClient(target.inboundId, ghost, { comment: "x" }).catch((e: unknown) => e);
      expect(isPanelError(update, "not_found")).toBe(true);
      const removal = await panel.deleteClient(target.inboundId, ghost).catch((e: unknown) => e);
      expect(isPanelError(removal, "not_found")).toBe(true);
    });

    it("reads a client's traffic", async () => {
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      const traffic = await panel.getClientTraffic(client.email);
      expect(traffic).toMatchObject({ email: client.email, inboundId: target.inboundId, up: 0, down: 0 });
    });

    it("deletes a client, then reports it gone", async () => {
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      await panel.deleteClient(target.inboundId, client.email);
      expect(await panel.getClient(target.inboundId, client.email)).toBeNull();
      const again = await panel.deleteClient(target.inboundId, client.email).catch((e: unknown) => e);
      expect(isPanelError(again, "not_found")).toBe(true);
    });

    it("reads server status and online clients", async () => {
      const status = await panel.getServerStatus();
      expect(["running", "stop", "error"]).toContain(status.xray.state);
      expect(status.memory.total).toBeGreaterThan(0);
      expect(status.uptimeSeconds).toBeGreaterThan(0);
      if (panel.generation === "g4") expect(status.panelVersion).toMatch(/\d+\.\d+/);
      expect(Array.isArray(await panel.getOnlineClients())).toBe(true);
    });

    it("rejects a bad client before calling the panel", async () => {
      const error = await panel.addClient(target.inboundId, newClient({ email: "has space" })).catch((e: unknown) => e);
      expect(isPanelError(error, "protocol")).toBe(true);
    });

    it("reports a wrong password as an auth error", async (context) => {
      if (!target.wrongPasswordConfig) context.skip();
      const wrong = createPanelClient(target.wrongPasswordConfig!);
      const error = await wrong.listInbounds().catch((e: unknown) => e);
      expect(isPanelError(error, "auth")).toBe(true);
    });
  });
}
