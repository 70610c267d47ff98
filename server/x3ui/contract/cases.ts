// The contract every panel (simulated or real) must honour through
// createPanelClient. Runs inside `npm test` against the simulator of each
// generation (contract.test.ts) and against a real panel with
// `npm run test:contract` (panel.contract.test.ts). It only creates clients
// whose email starts with a run-specific prefix and deletes them afterwards.

import { randomBytes, randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createPanelClient } from "../client";
import { PanelSession } from "../session";
import { isOutcomeUnknown, isPanelError, type NewClient, type PanelClient, type PanelClientConfig, type PanelGeneration } from "../types";

export const CONTRACT_EMAIL_PREFIX = "x3ui-contract-";

export interface ContractTarget {
  config: PanelClientConfig;
  inboundId: number;
  /** When known (the simulator), detection must report it. */
  expectedGeneration?: PanelGeneration;
  /** A config with a wrong password; omitted for token-only targets. */
  wrongPasswordConfig?: PanelClientConfig;
  /** Restarts the panel and resolves as soon as it accepts connections again; the start-up case needs it. */
  restart?: () => Promise<void>;
}

/** "2.9.4" ≥ "2.9.0"; null (version unknown) compares as neither. */
function isAtLeast(version: string | null, min: string): boolean | null {
  if (!version) return null;
  const parts = (v: string) => v.split(".").map(Number);
  const [a, b] = [parts(version), parts(min)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

export function defineContractSuite(name: string, connect: () => Promise<ContractTarget>, disconnect?: () => Promise<void>): void {
  describe(`panel contract: ${name}`, () => {
    const prefix = `${CONTRACT_EMAIL_PREFIX}${randomBytes(3).toString("hex")}-`;
    let target: ContractTarget;
    let panel: PanelClient;
    /** Raw access for what the client deliberately hides (refusal texts, empty 404 bodies, inbound set-up). */
    let session: PanelSession;
    let protocol = "";
    let counter = 0;
    let version: string | null = null;

    const newClient = (extra: Partial<NewClient> = {}): NewClient => {
      const email = `${prefix}${++counter}`;
      const secret = protocol === "vless" || protocol === "vmess" ? { id: randomUUID() } : { password: randomBytes(16).toString("hex") };
      return { email, ...secret, ...extra };
    };

    beforeAll(async () => {
      target = await connect();
      panel = createPanelClient(target.config);
      session = new PanelSession(target.config);
      protocol = (await panel.getInbound(target.inboundId)).protocol;
      version = (await panel.detect()).version;
    });

    /** A throwaway VLESS inbound holding exactly the given clients (raw, as the panel's own UI sends them); deleted by the returned function. */
    async function scratchInbound(clients: Record<string, unknown>[]): Promise<{ id: number; remove: () => Promise<void> }> {
      const remark = `${prefix}inbound-${++counter}`;
      const envelope = await session.call({
        method: "POST",
        path: "panel/api/inbounds/add",
        body: {
          remark,
          enable: true,
          listen: "127.0.0.1",
          port: 20_000 + Math.floor(Math.random() * 20_000),
          protocol: "vless",
          up: 0,
          down: 0,
          total: 0,
          expiryTime: 0,
          settings: JSON.stringify({
            // tgId must be a number: real v3.6.0 refuses "" (v2 accepts any JSON type).
            clients: clients.map((c) => ({ flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, enable: true, tgId: 0, subId: "", comment: "", reset: 0, ...c })),
            decryption: "none",
            fallbacks: [],
          }),
          streamSettings: JSON.stringify({ network: "tcp", security: "none", tcpSettings: { header: { type: "none" } } }),
          sniffing: JSON.stringify({ enabled: false, destOverride: [] }),
        },
      });
      const id = (envelope.obj as { id?: number } | null)?.id ?? (await panel.listInbounds()).find((i) => i.remark === remark)?.id;
      if (!id) throw new Error(`the scratch inbound ${remark} was not found after adding it`);
      return { id, remove: async () => void (await session.call({ method: "POST", path: `panel/api/inbounds/del/${id}` })) };
    }

    /** The clients of an inbounds/get answer as stored (settings is a JSON string on v2, an object on v3.1+). */
    function rawClientsOf(envelope: { obj: unknown }): Record<string, unknown>[] {
      const settings = (envelope.obj as { settings: unknown }).settings;
      const parsed = (typeof settings === "string" ? JSON.parse(settings) : settings) as { clients?: Record<string, unknown>[] };
      return parsed.clients ?? [];
    }

    /** Sets a client's stored counters through the panel's own route, as an admin can: traffic without Xray. */
    async function setCounters(email: string, up: number, down: number): Promise<void> {
      const path = panel.generation === "g4" ? `panel/api/clients/updateTraffic/${email}` : `panel/api/inbounds/updateClientTraffic/${email}`;
      await session.call({ method: "POST", path, body: { upload: up, download: down } });
    }

    async function resetCounters(email: string): Promise<void> {
      const path = panel.generation === "g4" ? `panel/api/clients/resetTraffic/${email}` : `panel/api/inbounds/${target.inboundId}/resetClientTraffic/${email}`;
      await session.call({ method: "POST", path });
    }

    /** The panel's traffic job runs every 10 s (v2) or 5 s (v3): wait for it to have acted. */
    async function untilPolled<T>(read: () => Promise<T>, isDone: (value: T) => boolean): Promise<T> {
      const deadline = Date.now() + 25_000;
      for (;;) {
        const value = await read();
        if (isDone(value) || Date.now() > deadline) return value;
        await new Promise((r) => setTimeout(r, 250));
      }
    }

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

    it("lists an operator's own clients with what adoption maps by (tgId, email as spelt, secret, subId, switch), and reading changes none of it", async () => {
      const made: Record<string, unknown>[] = [
        { email: `${prefix}${++counter}`, id: randomUUID(), tgId: 123_456_789_012, subId: `${prefix}sub${counter}` },
        { email: `${prefix}Tg_${++counter}`, id: randomUUID(), tgId: 0, enable: false },
      ];
      const scratch = await scratchInbound(made);
      try {
        // v2 addClient stores tgId exactly as sent, a string included (older panel UIs sent strings); v3.1+ takes numbers only.
        if (panel.generation !== "g4") {
          const stringly = { email: `${prefix}${++counter}`, id: randomUUID(), tgId: "777", enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, subId: "", comment: "", reset: 0 };
          await session.call({ method: "POST", path: "panel/api/inbounds/addClient", body: { id: scratch.id, settings: JSON.stringify({ clients: [stringly] }) } });
          made.push(stringly);
        }
        const listed = await panel.listClients(scratch.id);
        expect(listed.map((c) => [c.email, c.id, c.tgId, c.enable])).toEqual(made.map((c) => [c.email, c.id, Number(c.tgId), c.enable ?? true]));
        expect(listed[0]?.subId).toBe(made[0]?.subId);
        expect(await panel.listClients(scratch.id)).toEqual(listed);
      } finally {
        // v3.6.0 keeps a deleted inbound's clients as orphan records: take them off first (v2 keeps the last one, and drops it with the inbound).
        if (panel.generation === "g4") for (const c of made) await panel.deleteClient(scratch.id, String(c.email));
        await scratch.remove();
      }
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

    it("lists every client's counters of an inbound in one read per inbound, one row per email, by exact spelling", async () => {
      const [a, b] = [newClient(), newClient()];
      await panel.addClient(target.inboundId, a);
      await panel.addClient(target.inboundId, b);
      await setCounters(a.email, 1_000, 2_000);
      const rows = (await panel.listClientTraffic([target.inboundId, 999_999])).filter((r) => r.email.startsWith(prefix));
      expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length);
      expect(rows.find((r) => r.email === a.email)).toMatchObject({ inboundId: target.inboundId, up: 1_000, down: 2_000, enable: true });
      expect(rows.find((r) => r.email === b.email)).toMatchObject({ inboundId: target.inboundId, up: 0, down: 0 });
      expect(await panel.listClientTraffic([999_999])).toEqual([]);
      expect(await panel.getClientTraffic(a.email)).toMatchObject({ up: 1_000, down: 2_000 });
      // Emails are unique case-insensitively, but traffic is looked up by the stored spelling only.
      expect(await panel.getClientTraffic(a.email.toUpperCase())).toBeNull();
    });

    it("resets one client's counters and no other's", async () => {
      const [a, b] = [newClient(), newClient()];
      await panel.addClient(target.inboundId, a);
      await panel.addClient(target.inboundId, b);
      await setCounters(a.email, 10, 20);
      await setCounters(b.email, 30, 40);
      await resetCounters(a.email);
      const rows = await panel.listClientTraffic([target.inboundId]);
      expect(rows.find((r) => r.email === a.email)).toMatchObject({ up: 0, down: 0 });
      expect(rows.find((r) => r.email === b.email)).toMatchObject({ up: 30, down: 40 });
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

    it("keeps an inbound's last client before v3.1 (delete refused, disable works); v3.1+ deletes it", async () => {
      const client = { email: `${prefix}${++counter}`, id: randomUUID() };
      const scratch = await scratchInbound([client]);
      try {
        const removal = await panel.deleteClient(scratch.id, client.email).catch((e: unknown) => e);
        if (panel.generation === "g4") {
          expect(removal).toBeUndefined();
          expect(await panel.getClient(scratch.id, client.email)).toBeNull();
          return;
        }
        expect(isPanelError(removal, "protocol")).toBe(true);
        expect((removal as Error).message).toMatch(/no client remained in Inbound/);
        expect(await panel.getClient(scratch.id, client.email)).toMatchObject({ email: client.email, enable: true });
        // What the control plane does instead: switch the client off (Xray drops it) and delete it later.
        await panel.updateClient(scratch.id, client.email, { enable: false });
        expect(await panel.getClient(scratch.id, client.email)).toMatchObject({ email: client.email, id: client.id, enable: false });
        // Real v2.6.8 leaves the traffic row switched on after an admin disable; v2.9.4 and v3.6.0 flip it too.
        const flipsRow = isAtLeast(version, "2.9.4");
        if (flipsRow !== null) expect(await panel.getClientTraffic(client.email)).toMatchObject({ enable: !flipsRow });
      } finally {
        await scratch.remove();
      }
    });

    it("finds v3.1+ client records by the exact spelling of the email: another case is not found and deletes nothing (G4)", async (context) => {
      if (panel.generation !== "g4") context.skip();
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      const other = encodeURIComponent(client.email.toUpperCase());
      expect((await session.callAllowingRefusal({ method: "GET", path: `panel/api/clients/get/${other}` })).success).toBe(false);
      const removal = await session.callAllowingRefusal({ method: "POST", path: `panel/api/clients/del/${other}` });
      expect(removal.success).toBe(false);
      expect(removal.msg).toMatch(/not found in any inbound or client record/);
      expect(await panel.getClient(target.inboundId, client.email)).toMatchObject({ email: client.email });
    });

    it("refuses a v2 update that changes only the case of the email: the client collides with itself (G2/G3)", async (context) => {
      if (panel.generation === "g4") context.skip();
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      const stored = rawClientsOf(await session.call({ method: "GET", path: `panel/api/inbounds/get/${target.inboundId}` })).find((c) => c.email === client.email);
      expect(stored).toBeDefined();
      const key = String(protocol === "vless" || protocol === "vmess" ? stored?.id : stored?.password);
      const renamed = { ...stored, email: client.email.toUpperCase() };
      const envelope = await session.callAllowingRefusal({
        method: "POST",
        path: `panel/api/inbounds/updateClient/${encodeURIComponent(key)}`,
        body: { id: target.inboundId, settings: JSON.stringify({ clients: [renamed] }) },
      });
      expect(envelope.success).toBe(false);
      expect(envelope.msg).toContain(`Duplicate email: ${renamed.email}`);
      expect(await panel.getClient(target.inboundId, client.email)).toMatchObject({ email: client.email });
    });

    it("lists an inbound's clientStats rows with every field of the panel's traffic row", async () => {
      const client = newClient();
      await panel.addClient(target.inboundId, client);
      const envelope = await session.call({ method: "GET", path: "panel/api/inbounds/list" });
      const inbound = (envelope.obj as { id: number; clientStats: Record<string, unknown>[] | null }[]).find((i) => i.id === target.inboundId);
      const row = inbound?.clientStats?.find((r) => r.email === client.email);
      const base = ["id", "inboundId", "enable", "email", "up", "down", "expiryTime", "total", "reset", "lastOnline"];
      // allTime from v2.6.7 until v3.1 dropped it; uuid and subId from v2.8.3.
      const hasAllTime = isAtLeast(version, "2.6.7") === true && isAtLeast(version, "3.1.0") === false;
      const hasIdentity = isAtLeast(version, "2.8.3");
      if (version === null) expect(row).toMatchObject(Object.fromEntries(base.map((k) => [k, expect.anything()])));
      else expect(Object.keys(row ?? {}).sort()).toEqual([...base, ...(hasAllTime ? ["allTime"] : []), ...(hasIdentity ? ["uuid", "subId"] : [])].sort());
      expect(row).toMatchObject({ inboundId: target.inboundId, email: client.email, enable: true, up: 0, down: 0 });
    });

    it("keeps a v3.1+ client whose inbound was deleted as an orphaned record that holds its email until deleted; v2 frees the email with the inbound", async () => {
      const client = { email: `${prefix}${++counter}`, id: randomUUID() };
      const scratch = await scratchInbound([client]);
      await scratch.remove();
      const again = newClient({ email: client.email });
      if (panel.generation !== "g4") {
        await panel.addClient(target.inboundId, again);
        expect(await panel.getClient(target.inboundId, client.email)).toMatchObject({ email: client.email, id: again.id ?? "" });
        return;
      }
      const orphanPath = `panel/api/clients/del/${encodeURIComponent(client.email)}`;
      try {
        const record = await session.call({ method: "GET", path: `panel/api/clients/get/${encodeURIComponent(client.email)}` });
        expect((record.obj as { inboundIds: number[] | null }).inboundIds ?? []).toEqual([]);
        const taken = await panel.addClient(target.inboundId, again).catch((e: unknown) => e);
        expect(isPanelError(taken, "duplicate")).toBe(true);
        expect((await session.call({ method: "POST", path: orphanPath })).success).toBe(true);
        await panel.addClient(target.inboundId, again);
        expect(await panel.getClient(target.inboundId, client.email)).toMatchObject({ email: client.email });
      } finally {
        await session.callAllowingRefusal({ method: "POST", path: orphanPath });
      }
    });

    it("answers a delClient of an unknown id with success from v2.6 to v2.9.3 and a refusal from v2.9.4 (G2/G3)", async (context) => {
      if (panel.generation === "g4" || !version) context.skip();
      const envelope = await session.callAllowingRefusal({ method: "POST", path: `panel/api/inbounds/${target.inboundId}/delClient/${randomUUID()}` });
      if (isAtLeast(version, "2.9.4")) {
        expect(envelope.success).toBe(false);
        expect(envelope.msg).toMatch(/Client Not Found In Inbound For ID: [0-9a-f-]{36}/);
      } else {
        expect(envelope.success).toBe(true);
      }
    });

    // v2.9.0+ answers [] when nobody moved bytes in its last poll, older versions null; but any version
    // answers null until its first traffic poll after a start, or after a poll that saw only unknown emails.
    it("answers inbounds/onlines with null or a list of emails, which the client reads as a list (G2/G3)", async (context) => {
      if (panel.generation === "g4") context.skip();
      const envelope = await session.call({ method: "POST", path: "panel/api/inbounds/onlines" });
      expect(envelope.obj === null || (Array.isArray(envelope.obj) && envelope.obj.every((e) => typeof e === "string"))).toBe(true);
      expect(Array.isArray(await panel.getOnlineClients())).toBe(true);
    });

    it("answers an unknown route with 404 (an empty body from v2.8.5), which the client never reads as not_found", async () => {
      // Signed in, so the 404 means "no such route" and not "logged out" (v2.8.4+ answers both alike).
      if (!session.usesToken) await session.signIn();
      const response = await session.raw({ method: "GET", path: `panel/api/inbounds/no-such-route-${counter}` });
      expect(response.status).toBe(404);
      const isEmptyBody = isAtLeast(version, "2.8.5");
      if (isEmptyBody !== null) expect(response.body).toBe(isEmptyBody ? "" : "404 page not found");
      const error = await session.call({ method: "GET", path: `panel/api/inbounds/no-such-route-${counter}` }).catch((e: unknown) => e);
      expect(isPanelError(error, "protocol")).toBe(true);
    });

    it("gives a client added with an empty subId a subscription id on v3.1+, and keeps it empty before", async () => {
      const client = newClient({ subId: "" });
      await panel.addClient(target.inboundId, client);
      const read = await panel.getClient(target.inboundId, client.email);
      if (panel.generation === "g4") expect(read?.subId).toMatch(/\S{8,}/);
      else expect(read?.subId).toBe("");
    });

    it("answers server status without data right after a start (not_ready), then with data", async (context) => {
      if (!target.restart) context.skip();
      await target.restart!();
      const first = await panel.getServerStatus().catch((e: unknown) => e);
      expect(isPanelError(first, "not_ready")).toBe(true);
      const deadline = Date.now() + 15_000;
      for (;;) {
        const status = await panel.getServerStatus().catch((e: unknown) => e);
        if (!isPanelError(status, "not_ready")) {
          expect(status).toMatchObject({ memory: { total: expect.any(Number) as number } });
          break;
        }
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 250));
      }
    });

    it("reports a wrong password as an auth error", async (context) => {
      if (!target.wrongPasswordConfig) context.skip();
      const wrong = createPanelClient(target.wrongPasswordConfig!);
      const error = await wrong.listInbounds().catch((e: unknown) => e);
      expect(isPanelError(error, "auth")).toBe(true);
    });

    // Last: real v2.9.4 restarts Xray when it switches a client off, and its onlines answer null until the next poll.
    it("switches a client off at its next poll once past its quota (settings too from v2.9.4), and back on with a larger quota", async () => {
      const client = newClient({ totalBytes: 2_500 });
      await panel.addClient(target.inboundId, client);
      await setCounters(client.email, 1_000, 2_000);
      const depleted = await untilPolled(
        () => panel.getClientTraffic(client.email),
        (t) => t?.enable === false,
      );
      expect(depleted).toMatchObject({ enable: false, up: 1_000, down: 2_000, total: 2_500 });
      const disablesSettings = isAtLeast(version, "2.9.4");
      if (disablesSettings !== null) {
        const settings = await untilPolled(
          () => panel.getClient(target.inboundId, client.email),
          (c) => c?.enable === !disablesSettings,
        );
        expect(settings?.enable).toBe(!disablesSettings);
      }
      // Real v2.9.4 answers HTTP 500 (empty body) for a moment after a depletion, while it restarts Xray.
      for (let attempt = 1; ; attempt++) {
        const error = await panel.updateClient(target.inboundId, client.email, { enable: true, totalBytes: 10_000 }).catch((e: unknown) => e);
        if (!isOutcomeUnknown(error) || attempt === 5) {
          expect(error).toBeUndefined();
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      expect(await panel.getClient(target.inboundId, client.email)).toMatchObject({ enable: true, totalBytes: 10_000 });
      expect(await panel.getClientTraffic(client.email)).toMatchObject({ enable: true, up: 1_000, down: 2_000 });
    });
  });
}
