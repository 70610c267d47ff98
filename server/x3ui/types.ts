// The contract between the control plane and a 3X-UI panel. Everything above
// server/x3ui codes against these types only; which HTTP calls serve them depends
// on the panel's API generation (docs/x3ui-compat.md).
//
// Units follow the panel: bytes for traffic and quotas, epoch milliseconds for
// times (a negative expiry is a duration that starts at first use), seconds for
// uptime.

/**
 * API generation. G2 = v1.4.6–v2.6 (POST server/status, inbounds/addClient),
 * G3 = v2.7–v3.0.2 (GET panel/api/server/status), G4 = v3.1+ (panel/api/clients/*).
 */
export type PanelGeneration = "g2" | "g3" | "g4";

export const PANEL_GENERATIONS: readonly PanelGeneration[] = ["g2", "g3", "g4"];

export interface PanelTlsOptions {
  /** verify = normal CA check; skip = accept any certificate; pin = accept only spkiSha256. */
  mode: "verify" | "skip" | "pin";
  /** base64 (or hex) SHA-256 of the certificate's DER SubjectPublicKeyInfo; required for "pin". */
  spkiSha256?: string;
}

export interface PanelClientConfig {
  /** Scheme, host, port and webBasePath, e.g. https://1.2.3.4:31234/x7Kq2/ (trailing slash optional). */
  baseUrl: string;
  username?: string;
  password?: string;
  /** v3.0+ API token, sent as Bearer; preferred over the session when set. */
  apiToken?: string;
  tls?: PanelTlsOptions;
  /** Deadline for one HTTP request (connect to last byte). */
  timeoutMs: number;
  /** Responses larger than this fail with kind "protocol". Default 8 MiB. */
  maxResponseBytes?: number;
  /** A generation detected earlier and persisted by the caller; skips detection. */
  generation?: PanelGeneration;
  /**
   * Called with the address actually connected to, before anything is sent; false refuses the
   * call as "unreachable". The SSRF guard lives here rather than in a DNS pre-check so a name
   * that resolves differently at connect time (DNS rebinding) is still caught.
   */
  allowAddress?: (address: string) => boolean;
}

export type PanelErrorKind =
  | "auth" // wrong credentials or token, login ban, session that a re-login did not fix
  | "not_found" // the inbound or client does not exist
  | "duplicate" // the email is already used somewhere on the panel (case-insensitive)
  | "unreachable" // connection refused/reset, DNS, TLS verification or pin mismatch
  | "timeout" // no complete answer within timeoutMs: the call may or may not have happened
  | "not_ready" // the panel answered without data: its server status right after a start
  | "protocol"; // anything else: unexpected status/body, oversized response, panel refusal

export class PanelError extends Error {
  override readonly name = "PanelError";
  /**
   * The request reached the panel and may have been applied although no valid answer came back:
   * a timeout or reset after sending, HTTP 5xx, a body that does not parse. For a mutation the
   * outcome is unknown — read back by identity before deciding (invariant 8).
   */
  readonly mayHaveApplied: boolean;
  /**
   * For "unreachable": what failed on the way, so a person can be told what to fix — the socket
   * error's code (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, …), or ADDRESS_NOT_ALLOWED (the SSRF
   * guard refused `peer`) or PIN_MISMATCH.
   */
  readonly transport?: { code: string; peer?: string };
  constructor(
    readonly kind: PanelErrorKind,
    message: string,
    /** HTTP status when the panel answered at all. */
    readonly status?: number,
    options?: { cause?: unknown; mayHaveApplied?: boolean; transport?: { code: string; peer?: string } },
  ) {
    super(message, options);
    this.mayHaveApplied = options?.mayHaveApplied ?? kind === "timeout";
    this.transport = options?.transport;
  }
}

/**
 * Recognised by its name and kind, not `instanceof`: the production server bundles this module more
 * than once (the instrumentation hook's cron and the route handlers share one panel client factory
 * through the process-wide app context), and a PanelError made by one copy is not an instance of
 * the other's class.
 */
export function isPanelError(error: unknown, kind?: PanelErrorKind): error is PanelError {
  if (!(error instanceof Error) || error.name !== "PanelError" || typeof (error as { kind?: unknown }).kind !== "string") return false;
  return kind === undefined || (error as PanelError).kind === kind;
}

/** A failed call that may nevertheless have changed the panel (see PanelError.mayHaveApplied). */
export function isOutcomeUnknown(error: unknown): boolean {
  return isPanelError(error) && error.mayHaveApplied;
}

export interface PanelDetection {
  generation: PanelGeneration;
  /** Panel version such as "2.8.11" when the panel reveals it, else null. */
  version: string | null;
  /**
   * The server status detection read on the way (g3, g4: the route getServerStatus reads), with its
   * round trip, so a first check need not ask again. Only on the call that detected, never from the cache.
   */
  status?: { value: ServerStatus; latencyMs: number };
}

/** Protocols we create clients on; the panel may report others (wireguard, mixed, …). */
export const CLIENT_PROTOCOLS = ["vless", "vmess", "trojan", "shadowsocks"] as const;
export type ClientProtocol = (typeof CLIENT_PROTOCOLS)[number];

export interface InboundSummary {
  id: number;
  remark: string;
  protocol: string;
  port: number;
  enable: boolean;
  clientCount: number;
}

export interface Inbound extends InboundSummary {
  /** "" = all interfaces. */
  listen: string;
  tag: string;
  /** The parsed `settings` JSON (clients, decryption, method, …). */
  settings: Record<string, unknown>;
  /** The parsed `streamSettings` JSON (network, security, tlsSettings, realitySettings, …). */
  streamSettings: Record<string, unknown>;
}

/** One client as the panel stores it, in the panel's units. */
export interface InboundClient {
  email: string;
  /** VLESS/VMess UUID ("" for other protocols). */
  id: string;
  /** Trojan password or Shadowsocks key ("" for other protocols). */
  password: string;
  /** VLESS flow, e.g. "xtls-rprx-vision", or "". */
  flow: string;
  /** VMess cipher ("auto", …) or "". */
  security: string;
  enable: boolean;
  /** Quota in bytes (the panel's `totalGB`); 0 = unlimited. */
  totalBytes: number;
  /** Epoch ms; 0 = never; negative = that many ms after first use. */
  expiryTime: number;
  limitIp: number;
  subId: string;
  comment: string;
  tgId: number;
  /** Auto-renew period in days; 0 = off. */
  reset: number;
}

/**
 * A client to create. The caller generates the identity: `id` (UUID) for vless/vmess,
 * `password` for trojan/shadowsocks. Omitted numbers default to 0 (unlimited/never).
 */
export interface NewClient {
  email: string;
  id?: string;
  password?: string;
  flow?: string;
  security?: string;
  enable?: boolean;
  totalBytes?: number;
  expiryTime?: number;
  limitIp?: number;
  subId?: string;
  comment?: string;
  tgId?: number;
  reset?: number;
}

/** Fields to change; the client reads the current object and writes it back whole. */
export type ClientPatch = Partial<Omit<InboundClient, "email">>;

export interface ClientTraffic {
  email: string;
  inboundId: number;
  /** false when the panel switched the client off (depleted or expired). */
  enable: boolean;
  up: number;
  down: number;
  /** Quota in bytes; 0 = unlimited. */
  total: number;
  expiryTime: number;
  /** Epoch ms of the last traffic, when the panel reports it (v2.7+). */
  lastOnline: number | null;
}

export type XrayState = "running" | "stop" | "error";

export interface ServerStatus {
  xray: { state: XrayState; version: string; errorMsg: string };
  /** 0..100 */
  cpuPercent: number;
  memory: { current: number; total: number };
  /** Host uptime in seconds. */
  uptimeSeconds: number;
  /** Reported by v3.1+ only. */
  panelVersion: string | null;
}

/**
 * One panel. Instances keep the session (cookie, CSRF token) and the detected
 * generation between calls, so keep one per node for as long as the node's
 * config does not change. Every method throws PanelError only.
 *
 * Mutations are not serialized here: wrap them in runExclusive(nodeId, …)
 * from ./panel-queue.
 */
export interface PanelClient {
  /** The generation once known (from config or detection); persist it if you like. */
  readonly generation: PanelGeneration | undefined;
  /** Detects generation and version (signs in when needed); cached after the first success. */
  detect(): Promise<PanelDetection>;
  listInbounds(): Promise<InboundSummary[]>;
  /** Throws not_found for an unknown id. */
  getInbound(inboundId: number): Promise<Inbound>;
  listClients(inboundId: number): Promise<InboundClient[]>;
  /** The client with this email (case-insensitive) on that inbound, or null. */
  getClient(inboundId: number, email: string): Promise<InboundClient | null>;
  /** Throws duplicate when the email exists anywhere on the panel. */
  addClient(inboundId: number, client: NewClient): Promise<void>;
  /** Read-modify-write of the whole client. Throws not_found for an unknown email. */
  updateClient(inboundId: number, email: string, patch: ClientPatch): Promise<void>;
  /** Throws not_found when the client is not on that inbound. */
  deleteClient(inboundId: number, email: string): Promise<void>;
  /** null when the panel has no traffic row for the email. */
  getClientTraffic(email: string): Promise<ClientTraffic | null>;
  /**
   * The counters of every client on these inbounds (one row per email), read per inbound rather
   * than per client: v3 one `inbounds/get/:id` each; v2 one `inbounds/list` for all of them, because
   * its `inbounds/get/:id` carries no clientStats. Unknown inbounds are left out.
   */
  listClientTraffic(inboundIds: number[]): Promise<ClientTraffic[]>;
  getServerStatus(): Promise<ServerStatus>;
  /** Emails with traffic in the panel's last poll window. */
  getOnlineClients(): Promise<string[]>;
}
