// Authenticated access to one panel's JSON API: cookie session (with the v3
// CSRF token) or Bearer token, the {success,msg,obj} envelope, and the
// "logged out" signals every version uses (401, 404, 3xx, HTML, 403 CSRF).
// One expired session is repaired by one re-login; a failed login is never
// retried here, because v3 bans an IP after five failures. Sign-in is single
// flight: concurrent calls that find the session missing or expired share one
// login (a burst of logins can trip v3's limiter and makes v2 rotate cookies
// under calls still in flight).

import { z } from "zod";

import type http from "node:http";

import { createPanelAgent, DEFAULT_MAX_RESPONSE_BYTES, sendHttp, type HttpResponse } from "./http";
import { PanelError, type PanelClientConfig } from "./types";

const envelopeSchema = z.object({
  success: z.boolean(),
  msg: z.string().nullish(),
  obj: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;

export interface ApiCall {
  method: "GET" | "POST";
  /** Relative to the root, without a leading slash, e.g. "panel/api/inbounds/list". */
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** A POST that changes nothing on the panel (a v2 status read, onlines, the login): it may use a pooled connection. GETs always do. */
  isReadOnly?: boolean;
}

/** Normalizes the configured URL to the panel root, always ending in "/". */
export function panelRoot(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new PanelError("protocol", `invalid panel URL: ${baseUrl}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new PanelError("protocol", `panel URL must be http(s): ${baseUrl}`);
  }
  url.search = "";
  url.hash = "";
  if (!url.pathname.endsWith("/")) url.pathname += "/";
  return url;
}

export function parseEnvelope(response: HttpResponse): Envelope | null {
  if (!String(response.headers["content-type"] ?? "").includes("json")) return null;
  try {
    const parsed = envelopeSchema.safeParse(JSON.parse(response.body));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Maps a panel refusal (HTTP 200, success:false) to a kind by the English Go error text. */
export function refusalError(message: string, status: number): PanelError {
  if (/duplicate email|email already in use/i.test(message)) return new PanelError("duplicate", message, status);
  if (/not found/i.test(message)) return new PanelError("not_found", message, status);
  return new PanelError("protocol", message || "the panel refused the request", status);
}

// v1.4.6–v2.2.1 answer an expired session with HTTP 200 and this (English) text.
const EXPIRED_MESSAGE = /session has expired|log ?in again/i;

export class PanelSession {
  readonly root: URL;
  private readonly cookies = new Map<string, string>();
  private csrfToken: string | null = null;
  private signedIn = false;
  private signingIn: Promise<void> | null = null;
  /** Bumped by every successful sign-in: an expiry seen under an older session needs no new login. */
  private sessionEpoch = 0;
  /** Keep-alive connections to this panel, for calls that are safe to repeat (http.ts). */
  private readonly agent: http.Agent;

  constructor(private readonly config: PanelClientConfig) {
    this.root = panelRoot(config.baseUrl);
    if (config.tls?.mode === "pin" && this.root.protocol !== "https:") {
      throw new PanelError("protocol", "TLS pinning needs an https panel URL");
    }
    if (!config.apiToken && !(config.username && config.password)) {
      throw new PanelError("auth", "panel config needs username and password, or an API token");
    }
    this.agent = createPanelAgent(this.root, config.tls);
  }

  get usesToken(): boolean {
    return Boolean(this.config.apiToken);
  }

  get isSignedIn(): boolean {
    return this.signedIn;
  }

  /** Whether the last CSRF probe found a token: only v3 serves one. */
  get hasCsrfToken(): boolean {
    return this.csrfToken !== null;
  }

  /** GET {root}csrf-token: v3 answers JSON (and sets the session cookie), older panels 404. */
  async fetchCsrfToken(): Promise<string | null> {
    const response = await this.raw({ method: "GET", path: "csrf-token" });
    const envelope = parseEnvelope(response);
    this.csrfToken = response.status === 200 && envelope?.success && typeof envelope.obj === "string" ? envelope.obj : null;
    return this.csrfToken;
  }

  /** Signs in, or joins the sign-in already under way. */
  signIn(): Promise<void> {
    this.signingIn ??= this.signInOnce().finally(() => {
      this.signingIn = null;
    });
    return this.signingIn;
  }

  private async signInOnce(): Promise<void> {
    this.signedIn = false;
    this.cookies.clear();
    await this.fetchCsrfToken();
    const response = await this.raw({
      method: "POST",
      path: "login",
      body: { username: this.config.username, password: this.config.password },
      isReadOnly: true,
    });
    const envelope = parseEnvelope(response);
    if (response.status === 200 && envelope) {
      if (!envelope.success) throw new PanelError("auth", envelope.msg || "login refused", 200);
      this.signedIn = true;
      this.sessionEpoch++;
      return;
    }
    if (response.status >= 300 && response.status < 400) {
      const location = String(response.headers.location ?? "");
      throw new PanelError("protocol", `login redirected to ${location}; check the URL scheme and base path`, response.status);
    }
    if (response.status === 404) {
      throw new PanelError("protocol", "login route not found; check the base path", 404);
    }
    throw unexpected(response);
  }

  /** The envelope of a successful call; refusals and transport failures throw. */
  async call(call: ApiCall): Promise<Envelope> {
    const envelope = await this.callOnce(call, true);
    if (!envelope.success) throw refusalError(envelope.msg ?? "", 200);
    return envelope;
  }

  /**
   * Like call, but hands back a refusal envelope instead of throwing. `mayRelogin: false` right
   * after a sign-in: a logged-out answer then means a missing route, not an expired session.
   */
  async callAllowingRefusal(call: ApiCall, options: { mayRelogin?: boolean } = {}): Promise<Envelope> {
    return this.callOnce(call, options.mayRelogin ?? true);
  }

  private async callOnce(call: ApiCall, mayRelogin: boolean): Promise<Envelope> {
    if (!this.usesToken && !this.signedIn) {
      await this.signIn();
      mayRelogin = false;
    }
    const epoch = this.sessionEpoch;
    const response = await this.raw(call);
    const envelope = parseEnvelope(response);
    const expired =
      (response.status === 200 && envelope !== null && !envelope.success && EXPIRED_MESSAGE.test(envelope.msg ?? "")) ||
      response.status === 401 ||
      (response.status === 403 && !envelope) ||
      (response.status >= 300 && response.status < 400) ||
      (response.status === 200 && !envelope && /html/.test(String(response.headers["content-type"] ?? "")));
    if (response.status === 200 && envelope && !expired) return envelope;
    // From v2.8.4 a logged-out call to a real route answers 404, same as a missing route.
    if (expired || response.status === 404) {
      if (!this.usesToken && mayRelogin) {
        if (this.sessionEpoch === epoch) this.signedIn = false;
        return this.callOnce(call, false);
      }
      // Never "not_found": callers read that as "the client is gone", and a
      // missing route means a wrong base path or a stale generation instead.
      if (response.status === 404) {
        throw new PanelError("protocol", `${call.path}: route not found (wrong base path, generation, or token)`, 404);
      }
      throw new PanelError("auth", `${call.path}: ${this.usesToken ? "API token rejected" : "still logged out after a fresh login"}`, response.status);
    }
    throw unexpected(response);
  }

  /** One request with the session's headers; no interpretation of the answer. */
  async raw(call: ApiCall & { accept?: string; anonymous?: boolean }): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      Accept: call.accept ?? "application/json",
      "Accept-Language": "en-US",
      "X-Requested-With": "XMLHttpRequest",
    };
    if (!call.anonymous) {
      if (this.config.apiToken) headers.Authorization = `Bearer ${this.config.apiToken}`;
      if (this.cookies.size > 0) {
        headers.Cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
      }
      if (call.method === "POST" && this.csrfToken && !this.config.apiToken) headers["X-CSRF-Token"] = this.csrfToken;
    }
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers["Content-Type"] = "application/json";
    } else if (call.method === "POST") {
      body = "";
    }
    const response = await sendHttp({
      method: call.method,
      url: new URL(call.path, this.root),
      headers,
      body,
      timeoutMs: this.config.timeoutMs,
      maxResponseBytes: this.config.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      tls: this.config.tls,
      allowAddress: this.config.allowAddress,
      agent: call.method === "GET" || call.isReadOnly ? this.agent : undefined,
    });
    if (!call.anonymous) this.storeCookies(response.headers["set-cookie"]);
    return response;
  }

  // The panel keeps the whole session inside the signed cookie, so the newest
  // Set-Cookie always wins; Max-Age<=0 deletes.
  private storeCookies(setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const deleted = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a)) || value === "";
      if (deleted) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

// A 5xx, or a 2xx whose body does not parse, may come after the panel applied the request.
function unexpected(response: HttpResponse): PanelError {
  const snippet = response.body.slice(0, 200).replace(/\s+/g, " ");
  const mayHaveApplied = response.status >= 500 || (response.status >= 200 && response.status < 300);
  return new PanelError("protocol", `unexpected HTTP ${response.status}${snippet ? `: ${snippet}` : ""}`, response.status, { mayHaveApplied });
}
