// The simulated panel's data: inbounds with their clients (as the panel keeps
// them, inside settings.clients), traffic rows, online emails and Xray state.
// Tests read it to assert what really landed on the "panel".
//
// Traffic works as on real panels (v2.6.8, v2.9.4, v3.6.0): bytes that pass
// through Xray (`flow`) are counted only when the panel's traffic job polls
// (`poll`, every 10 s on v2 and 5 s on v3), which also switches off depleted and
// expired clients and decides who is online. Stored counters survive a restart;
// bytes not polled yet are lost with it, and v3.6.0's first poll after a start
// only records baselines. Resetting a client's traffic zeroes that row only.

import { randomUUID, randomBytes } from "node:crypto";

export type RawObject = Record<string, unknown>;

/** A Go-side error; routes wrap it as "<action> (<text>)" like jsonMsg does. */
export class GoError extends Error {}

export interface SimInbound {
  id: number;
  remark: string;
  protocol: string;
  port: number;
  listen: string;
  tag: string;
  enable: boolean;
  up: number;
  down: number;
  total: number;
  expiryTime: number;
  settings: RawObject & { clients: RawObject[] };
  streamSettings: RawObject;
  sniffing: RawObject;
}

export interface SimTraffic {
  inboundId: number;
  email: string;
  /** The traffic row's own switch: false once the panel found the client depleted or expired. */
  enable: boolean;
  up: number;
  down: number;
  /** v2.6.7+: a total that a traffic reset leaves alone. */
  allTime: number;
  lastOnline: number;
}

/** How a version's traffic job behaves (see profile.ts for which versions do what). */
export interface TrafficRules {
  /** A depleted or expired client is switched off in its settings too, not only in its traffic row. */
  depletionDisablesSettings: boolean;
  /** An admin's enable:false also flips the traffic row. */
  adminDisableFlipsTrafficRow: boolean;
  /** Resetting a client's traffic switches a depleted client back on in its settings too. */
  resetRevivesSettings: boolean;
  /** The first poll after a start only records baselines: the traffic before it is never counted. */
  firstPollIsBaseline: boolean;
  /** How long a client stays online after the poll that saw its bytes; 0 = only until the next poll. */
  onlineGraceMs: number;
}

const lower = (s: unknown) => String(s ?? "").toLowerCase();

// common.NewError uses fmt.Sprintln: operands joined by a space, then "\n".
const goError = (...parts: string[]) => new GoError(`${parts.join(" ")}\n`);

export class SimState {
  readonly inbounds: SimInbound[];
  readonly traffic = new Map<string, SimTraffic>();
  /**
   * v3.1+: client records left behind when their last inbound was deleted (real v3.6.0). They carry
   * no traffic through Xray, but `clients/get` still finds them and their emails stay taken until
   * `clients/del` removes them.
   */
  readonly orphans: RawObject[] = [];
  xrayState: "running" | "stop" | "error" = "running";
  /** Bytes Xray has counted since the last poll, by lower-case email. */
  private readonly pending = new Map<string, { up: number; down: number }>();
  /** Emails whose bytes the last poll saw (online on v2 until the next poll). */
  private lastPolled = new Set<string>();
  private isBaselinePoll = false;

  constructor(
    inbounds: SimInbound[],
    private readonly rules: TrafficRules,
  ) {
    this.inbounds = inbounds;
    for (const inbound of inbounds) {
      for (const client of inbound.settings.clients) this.addTrafficRow(inbound.id, String(client.email));
    }
  }

  /** Every client on the panel, or on one inbound. Copies: mutate through the API. */
  clients(inboundId?: number): RawObject[] {
    return this.inbounds
      .filter((i) => inboundId === undefined || i.id === inboundId)
      .flatMap((i) => i.settings.clients.map((c) => ({ ...c })));
  }

  findClient(email: string): { inbound: SimInbound; client: RawObject } | null {
    for (const inbound of this.inbounds) {
      const client = inbound.settings.clients.find((c) => lower(c.email) === lower(email));
      if (client) return { inbound, client };
    }
    return null;
  }

  /** An orphaned v3 client record, by the exact spelling of its email (v3 looks records up with SQL `email = ?`). */
  findOrphan(email: string): RawObject | null {
    return this.orphans.find((c) => c.email === email) ?? null;
  }

  /** Emails are unique panel-wide without regard to case, orphaned records included. */
  private isEmailTaken(email: string): boolean {
    return this.findClient(email) !== null || this.orphans.some((c) => lower(c.email) === lower(email));
  }

  /**
   * Traffic through Xray: counted at the next poll. false (and nothing counted) when Xray refuses
   * the client: unknown, switched off by the admin, or depleted.
   */
  flow(email: string, up: number, down: number): boolean {
    const row = this.traffic.get(lower(email));
    const found = this.findClient(email);
    if (!row || !found || found.client.enable === false || !row.enable) return false;
    const pending = this.pending.get(lower(email)) ?? { up: 0, down: 0 };
    pending.up += up;
    pending.down += down;
    this.pending.set(lower(email), pending);
    return true;
  }

  /** Traffic that the panel has already polled: `flow` and `poll` in one step. */
  recordTraffic(email: string, up: number, down: number): void {
    if (!this.flow(email, up, down)) throw new Error(`Xray refuses ${email}`);
    this.poll();
  }

  /**
   * The panel's traffic job: stores the bytes counted since the last poll (or, first after a start
   * where the version does so, drops them as baselines), marks who moved bytes as online, turns a
   * delayed-start expiry into a date, and switches off every client past its quota or expiry.
   */
  poll(now = Date.now()): void {
    const counted = this.isBaselinePoll ? new Map<string, { up: number; down: number }>() : this.pending;
    this.isBaselinePoll = false;
    this.lastPolled = new Set();
    for (const [key, bytes] of counted) {
      const row = this.traffic.get(key);
      if (!row || bytes.up + bytes.down === 0) continue;
      row.up += bytes.up;
      row.down += bytes.down;
      row.allTime += bytes.up + bytes.down;
      row.lastOnline = now;
      this.lastPolled.add(row.email);
      const client = this.findClient(row.email)?.client;
      if (client && Number(client.expiryTime) < 0) client.expiryTime = now - Number(client.expiryTime);
    }
    this.pending.clear();
    for (const row of this.traffic.values()) {
      const client = this.findClient(row.email)?.client;
      if (!client || !row.enable) continue;
      const total = Number(client.totalGB ?? 0);
      const expiry = Number(client.expiryTime ?? 0);
      if ((total > 0 && row.up + row.down >= total) || (expiry > 0 && expiry <= now)) {
        row.enable = false;
        if (this.rules.depletionDisablesSettings) client.enable = false;
      }
    }
  }

  /** Emails the panel reports online: seen by the last poll, or (v3) within its grace window. */
  onlineEmails(now = Date.now()): string[] {
    if (this.rules.onlineGraceMs === 0) return [...this.lastPolled];
    return [...this.traffic.values()].filter((r) => r.lastOnline > 0 && now - r.lastOnline <= this.rules.onlineGraceMs).map((r) => r.email);
  }

  /** A panel (and Xray) restart: stored counters stay, bytes not polled yet are gone. */
  restart(): void {
    this.pending.clear();
    this.lastPolled = new Set();
    this.isBaselinePoll = this.rules.firstPollIsBaseline;
  }

  /** updateClientTraffic: sets one client's stored counters, as an admin can (real v2.6.8, v2.9.4, v3.6.0). */
  setTraffic(email: string, up: number, down: number): void {
    const row = this.traffic.get(lower(email));
    if (!row || row.email !== email) throw new GoError("record not found");
    row.up = up;
    row.down = down;
  }

  /** resetClientTraffic: zeroes one client's counters (not allTime) and lifts a depletion. */
  resetTraffic(email: string): void {
    const row = this.traffic.get(lower(email));
    if (!row || row.email !== email) throw goError(`Inbound Not Found For Email: ${email}`);
    row.up = 0;
    row.down = 0;
    row.enable = true;
    this.pending.delete(lower(email));
    const client = this.findClient(email)?.client;
    if (client && this.rules.resetRevivesSettings) client.enable = true;
  }

  inbound(id: number): SimInbound {
    const inbound = this.inbounds.find((i) => i.id === id);
    if (!inbound) throw new GoError("record not found");
    return inbound;
  }

  /** v2 addClient / v3 add: panel-wide, case-insensitive email uniqueness. */
  addClients(inboundId: number, clients: RawObject[], duplicateText = "Duplicate email:"): void {
    const inbound = this.inbound(inboundId);
    const seen = new Set<string>();
    for (const client of clients) {
      const email = lower(client.email);
      if (email && (seen.has(email) || this.isEmailTaken(email))) throw goError(duplicateText, String(client.email));
      seen.add(email);
      if (!clientKey(inbound.protocol, client)) throw goError("empty client ID");
    }
    for (const client of clients) {
      inbound.settings.clients.push({ ...client });
      if (client.email) this.addTrafficRow(inboundId, String(client.email));
    }
  }

  /**
   * v2 updateClient/:key: the stored object is replaced by the one sent. A new email is checked
   * against every client, this one included: changing only its case is refused as a duplicate
   * (real v2.6.8, v2.9.4).
   */
  replaceClient(inboundId: number, key: string, next: RawObject): void {
    const inbound = this.inbound(inboundId);
    const index = inbound.settings.clients.findIndex((c) => clientKey(inbound.protocol, c) === key);
    if (index < 0 || !clientKey(inbound.protocol, next)) throw goError("empty client ID");
    const old = inbound.settings.clients[index] as RawObject;
    if (next.email && next.email !== old.email && this.isEmailTaken(String(next.email))) {
      throw goError("Duplicate email:", String(next.email));
    }
    inbound.settings.clients[index] = { ...next };
    const row = this.traffic.get(lower(old.email));
    this.traffic.delete(lower(old.email));
    if (!row || !next.email) return;
    // Switching a client on revives its traffic row everywhere (until the next poll finds it still depleted).
    const enable = next.enable === false ? (this.rules.adminDisableFlipsTrafficRow ? false : row.enable) : true;
    this.traffic.set(lower(next.email), { ...row, email: String(next.email), enable });
  }

  /** v2 delClient: an unknown key changes nothing (or is refused, v2.9.4+); the last client cannot go. */
  deleteClientByKey(inboundId: number, key: string, options: { refuseUnknown: boolean }): void {
    const inbound = this.inbound(inboundId);
    const remaining = inbound.settings.clients.filter((c) => clientKey(inbound.protocol, c) !== key);
    if (options.refuseUnknown && remaining.length === inbound.settings.clients.length) throw goError("Client Not Found In Inbound For ID:", key);
    if (remaining.length === 0) throw goError("no client remained in Inbound");
    for (const gone of inbound.settings.clients.filter((c) => !remaining.includes(c))) this.forgetTraffic(String(gone.email));
    inbound.settings.clients = remaining;
  }

  /** v3 del/:email: removes the client (found by the exact spelling) from every inbound, or its orphaned record. */
  deleteClientEverywhere(email: string): void {
    const orphan = this.findOrphan(email);
    if (this.findClient(email)?.client.email !== email && !orphan) {
      throw goError(`client ${JSON.stringify(email)} not found in any inbound or client record`);
    }
    for (const inbound of this.inbounds) {
      inbound.settings.clients = inbound.settings.clients.filter((c) => c.email !== email);
    }
    if (orphan) this.orphans.splice(this.orphans.indexOf(orphan), 1);
    this.forgetTraffic(email);
  }

  /** inbounds/add: a new inbound with the next id and the tag the panel derives from the port. */
  addInbound(fields: Pick<SimInbound, "remark" | "protocol" | "port" | "listen" | "enable" | "settings" | "streamSettings" | "sniffing">): SimInbound {
    if (this.inbounds.some((i) => i.port === fields.port)) throw goError("Port already exists:", String(fields.port));
    const emails = fields.settings.clients.map((c) => lower(c.email));
    if (emails.some((e, i) => e && (emails.indexOf(e) !== i || this.isEmailTaken(e)))) throw goError("Duplicate email:", "in new inbound");
    const inbound: SimInbound = {
      ...fields,
      id: Math.max(0, ...this.inbounds.map((i) => i.id)) + 1,
      tag: `inbound-${fields.port}`,
      up: 0,
      down: 0,
      total: 0,
      expiryTime: 0,
    };
    this.inbounds.push(inbound);
    for (const client of inbound.settings.clients) if (client.email) this.addTrafficRow(inbound.id, String(client.email));
    return inbound;
  }

  /** v3 :email/detach: takes the client (exact spelling) off these inbounds; off its last one, its record stays as an orphan. */
  detachClient(email: string, inboundIds: number[]): void {
    const client = this.findClient(email)?.client;
    for (const inboundId of inboundIds) {
      const inbound = this.inbound(inboundId);
      inbound.settings.clients = inbound.settings.clients.filter((c) => c.email !== email);
    }
    if (client?.email === email && !this.findClient(email)) this.orphans.push({ ...client });
  }

  /**
   * inbounds/del. v2 drops the inbound's clients and their traffic rows with it. v3.1+ only detaches
   * them (`keepClientRecords`): a client on no other inbound stays as an orphaned record with its
   * traffic row (real v3.6.0).
   */
  deleteInbound(id: number, options: { keepClientRecords: boolean }): void {
    const inbound = this.inbound(id);
    this.inbounds.splice(this.inbounds.indexOf(inbound), 1);
    for (const client of inbound.settings.clients) {
      if (this.findClient(String(client.email))) continue;
      if (options.keepClientRecords) this.orphans.push({ ...client });
      else this.forgetTraffic(String(client.email));
    }
  }

  private addTrafficRow(inboundId: number, email: string): void {
    this.traffic.set(lower(email), { inboundId, email, enable: true, up: 0, down: 0, allTime: 0, lastOnline: 0 });
  }

  private forgetTraffic(email: string): void {
    this.traffic.delete(lower(email));
    this.pending.delete(lower(email));
    this.lastPolled.delete(email);
  }
}

/** The field v2 identifies a client by (§7.1). */
export function clientKey(protocol: string, client: RawObject): string {
  const field = protocol === "trojan" ? "password" : protocol === "shadowsocks" ? "email" : "id";
  return typeof client[field] === "string" ? (client[field] as string) : "";
}

/** v3 /clients/add fills a missing secret (fillProtocolDefaults). */
export function fillProtocolDefaults(protocol: string, client: RawObject): void {
  if ((protocol === "vless" || protocol === "vmess") && !client.id) client.id = randomUUID();
  if (protocol === "trojan" && !client.password) client.password = randomBytes(16).toString("hex");
  if (protocol === "shadowsocks" && !client.password) client.password = randomBytes(32).toString("base64");
}

export function seedInbounds(): SimInbound[] {
  const client = (extra: RawObject): RawObject => ({
    flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, enable: true, tgId: 0, subId: "seed", comment: "", reset: 0,
    ...extra,
  });
  const base = { listen: "", enable: true, up: 0, down: 0, total: 0, expiryTime: 0 };
  const sniffing = { enabled: true, destOverride: ["http", "tls", "quic"] };
  return [
    {
      ...base, id: 1, remark: "vless-reality", protocol: "vless", port: 443, tag: "inbound-443", sniffing,
      settings: { clients: [client({ id: randomUUID(), email: "seed-vless", flow: "xtls-rprx-vision" })], decryption: "none", fallbacks: [] },
      streamSettings: {
        network: "tcp", security: "reality", tcpSettings: { header: { type: "none" } },
        // A real X25519 pair (xray x25519), so profiles built from the link pass the cores' checks.
        realitySettings: {
          show: false, xver: 0, dest: "www.example.com:443", serverNames: ["www.example.com"],
          privateKey: "SJKCOjED7T97ulLsArC8FXCMjaqSVhfbodwpFmYxFXw", shortIds: ["a1b2c3d4"],
          settings: { publicKey: "Mvt9BSmHInCJ9PCs_Crh8ck8KpRAorwAo8OJ4zkf3nM", fingerprint: "chrome", serverName: "", spiderX: "/" },
        },
      },
    },
    {
      ...base, id: 2, remark: "vmess-ws", protocol: "vmess", port: 8080, tag: "inbound-8080", sniffing,
      settings: { clients: [client({ id: randomUUID(), email: "seed-vmess", security: "auto" })] },
      streamSettings: { network: "ws", security: "none", wsSettings: { path: "/ws", host: "", headers: {} } },
    },
    {
      ...base, id: 3, remark: "trojan-grpc", protocol: "trojan", port: 8443, tag: "inbound-8443", sniffing,
      settings: { clients: [client({ password: randomBytes(8).toString("hex"), email: "seed-trojan" })], fallbacks: [] },
      streamSettings: {
        network: "grpc", security: "tls", grpcSettings: { serviceName: "svc", authority: "", multiMode: false },
        tlsSettings: { serverName: "sim.example.com", alpn: ["h2"], settings: { fingerprint: "chrome", allowInsecure: false } },
      },
    },
    {
      ...base, id: 4, remark: "ss-2022", protocol: "shadowsocks", port: 8388, tag: "inbound-8388", sniffing,
      settings: {
        method: "2022-blake3-aes-256-gcm", password: randomBytes(32).toString("base64"), network: "tcp,udp",
        clients: [client({ password: randomBytes(32).toString("base64"), email: "seed-ss" })],
      },
      streamSettings: { network: "tcp", security: "none", tcpSettings: { header: { type: "none" } } },
    },
  ];
}
