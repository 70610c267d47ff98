// Turns panel JSON (any generation) into the domain types. Panels are parsed
// defensively: v2 sends settings as JSON strings, v3.1+ as objects; v≤2.2
// sends tgId as a string; old rows miss newer fields.

import { z } from "zod";

import {
  PanelError,
  type ClientPatch,
  type ClientTraffic,
  type Inbound,
  type InboundClient,
  type InboundSummary,
  type NewClient,
  type ServerStatus,
} from "../types";

export type RawObject = Record<string, unknown>;

const num = z.preprocess((v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v), z.number().finite()).catch(0);
const str = z.string().catch("");
const bool = z.boolean().catch(false);

/** Parses the schema or fails with kind "protocol", naming what was being read. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new PanelError("protocol", `unexpected ${what}: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

/** settings/streamSettings arrive as a JSON string (v2) or an object (v3.1+). */
export function parseJsonField(value: unknown, what: string): RawObject {
  let parsed = value;
  if (typeof value === "string") {
    if (value.trim() === "") return {};
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new PanelError("protocol", `${what} is not valid JSON`);
    }
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) throw new PanelError("protocol", `${what} is not an object`);
  return parsed as RawObject;
}

const rawInboundSchema = z.looseObject({
  id: z.number().int(),
  remark: str,
  protocol: z.string(),
  port: z.number().int(),
  enable: bool,
  listen: str,
  tag: str,
  settings: z.unknown(),
  streamSettings: z.unknown(),
});

export function rawClients(settings: RawObject): RawObject[] {
  const clients = settings.clients;
  if (!Array.isArray(clients)) return [];
  return clients.filter((c): c is RawObject => typeof c === "object" && c !== null && !Array.isArray(c));
}

export function toInbound(value: unknown): Inbound {
  const raw = parseOrThrow(rawInboundSchema, value, "inbound");
  const settings = parseJsonField(raw.settings, "inbound settings");
  return {
    id: raw.id,
    remark: raw.remark,
    protocol: raw.protocol,
    port: raw.port,
    enable: raw.enable,
    clientCount: rawClients(settings).length,
    listen: raw.listen,
    tag: raw.tag,
    settings,
    streamSettings: parseJsonField(raw.streamSettings, "inbound streamSettings"),
  };
}

export function toInboundSummary(value: unknown): InboundSummary {
  const { id, remark, protocol, port, enable, clientCount } = toInbound(value);
  return { id, remark, protocol, port, enable, clientCount };
}

const rawClientSchema = z.looseObject({
  email: z.string(),
  id: str,
  password: str,
  flow: str,
  security: str,
  enable: z.boolean().catch(true),
  totalGB: num,
  expiryTime: num,
  limitIp: num,
  subId: str,
  comment: str,
  tgId: num,
  reset: num,
});

export function toInboundClient(raw: RawObject): InboundClient {
  const c = parseOrThrow(rawClientSchema, raw, "client");
  return {
    email: c.email,
    id: c.id,
    password: c.password,
    flow: c.flow,
    security: c.security,
    enable: c.enable,
    totalBytes: c.totalGB,
    expiryTime: c.expiryTime,
    limitIp: c.limitIp,
    subId: c.subId,
    comment: c.comment,
    tgId: c.tgId,
    reset: c.reset,
  };
}

/** Our field names to the panel's (totalBytes is the panel's misnamed totalGB). */
export function patchToRaw(patch: ClientPatch): RawObject {
  const { totalBytes, ...rest } = patch;
  const raw: RawObject = { ...rest };
  if (totalBytes !== undefined) raw.totalGB = totalBytes;
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  return raw;
}

// Emails travel in URL paths and v3 rejects separators and whitespace.
const EMAIL_PATTERN = /^[A-Za-z0-9._@+-]{1,255}$/;

/** The full client object the panel stores, from what the caller asked for. */
export function newClientToRaw(client: NewClient): RawObject {
  if (!EMAIL_PATTERN.test(client.email)) {
    throw new PanelError("protocol", `client email must match ${EMAIL_PATTERN.source}: ${JSON.stringify(client.email)}`);
  }
  if (!client.id && !client.password) throw new PanelError("protocol", "a new client needs an id (UUID) or a password");
  const raw: RawObject = {
    email: client.email,
    enable: client.enable ?? true,
    flow: client.flow ?? "",
    limitIp: client.limitIp ?? 0,
    totalGB: client.totalBytes ?? 0,
    expiryTime: client.expiryTime ?? 0,
    tgId: client.tgId ?? 0,
    subId: client.subId ?? "",
    comment: client.comment ?? "",
    reset: client.reset ?? 0,
  };
  if (client.id) raw.id = client.id;
  if (client.password) raw.password = client.password;
  if (client.security) raw.security = client.security;
  return raw;
}

export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

const trafficSchema = z.looseObject({
  email: z.string(),
  inboundId: num,
  enable: z.boolean().catch(true),
  up: num,
  down: num,
  total: num,
  expiryTime: num,
  lastOnline: z.number().nullish().catch(null),
});

export function toClientTraffic(value: unknown): ClientTraffic | null {
  if (value === null || value === undefined) return null;
  const t = parseOrThrow(trafficSchema, value, "client traffic");
  return {
    email: t.email,
    inboundId: t.inboundId,
    enable: t.enable,
    up: t.up,
    down: t.down,
    total: t.total,
    expiryTime: t.expiryTime,
    lastOnline: t.lastOnline ?? null,
  };
}

const clientStatsSchema = z.looseObject({ id: z.number().int(), clientStats: z.array(z.unknown()).nullish().catch(null) });

/** The traffic rows an inbound JSON carries in `clientStats` (null on v2's inbounds/get). */
export function toInboundTraffic(value: unknown): { inboundId: number; rows: ClientTraffic[] } {
  const inbound = parseOrThrow(clientStatsSchema, value, "inbound");
  const rows = (inbound.clientStats ?? []).map(toClientTraffic).filter((row): row is ClientTraffic => row !== null);
  return { inboundId: inbound.id, rows };
}

const usageSchema = z.object({ current: num, total: num }).catch({ current: 0, total: 0 });
const statusSchema = z.looseObject({
  cpu: num,
  mem: usageSchema,
  uptime: num,
  xray: z.looseObject({
    state: z.enum(["running", "stop", "error"]),
    version: str,
    errorMsg: str,
  }),
  panelVersion: z.string().nullish().catch(null),
});

export function toServerStatus(value: unknown): ServerStatus {
  // Panels serve a snapshot refreshed every 2 s: null right after start-up (real v2.9.4 and v3.6.0).
  if (value === null || value === undefined) throw new PanelError("not_ready", "server status not ready yet");
  const s = parseOrThrow(statusSchema, value, "server status");
  return {
    xray: { state: s.xray.state, version: s.xray.version, errorMsg: s.xray.errorMsg },
    cpuPercent: s.cpu,
    memory: { current: s.mem.current, total: s.mem.total },
    uptimeSeconds: s.uptime,
    panelVersion: s.panelVersion || null,
  };
}

export function toOnlineEmails(value: unknown): string[] {
  // v2 answers null when nobody is online.
  if (value === null || value === undefined) return [];
  return parseOrThrow(z.array(z.string()), value, "online clients");
}
