// A simulated 3X-UI panel on plain node:http, one listener per panel, for tests,
// benchmarks and the demo fleet. It reproduces what a client can observe of
// each API generation (routes, auth and CSRF, logged-out answers, envelope,
// error texts, JSON-in-JSON) and lets tests inject faults at runtime.

import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { profileFor, type VersionProfile } from "./profile";
import { GoError, SimState, clientKey, fillProtocolDefaults, seedInbounds, type RawObject, type SimInbound } from "./state";

export interface SimulatorOptions {
  /** A version such as "2.8.11", or a generation "g2" | "g3" | "g4". */
  version: string;
  username?: string;
  password?: string;
  /** v3 only: accept this Bearer token under panel/api. */
  apiToken?: string;
  /** Like the panel's webBasePath; "/" by default. */
  basePath?: string;
  /** Session cookie lifetime (the panel's sessionMaxAge), seconds. */
  sessionMaxAgeSeconds?: number;
  /**
   * Server status answers `obj: null` for this long after start, as real panels do until their
   * first 2-second status snapshot (v2.9.4, v3.6.0: ~2 s). 0 (the default) keeps tests fast.
   */
  statusReadyAfterMs?: number;
  /**
   * How often the traffic job polls Xray (default: the version's real period, 10 s on v2 and 5 s
   * on v3); 0 = never by itself, tests call `state.poll()`.
   */
  trafficPollMs?: number;
  port?: number;
}

export interface SimulatorFaults {
  /** Added before every answer. */
  latencyMs: number;
  /** Accept requests and never answer. */
  hang: boolean;
  /** Answer every request with HTTP 500. */
  http500: boolean;
  /** Reset every connection as soon as a request arrives. */
  reset: boolean;
  /**
   * v2 addClient reads the inbound and saves its whole settings JSON without a
   * lock; a concurrent add that lands inside this window is silently lost.
   */
  addRaceWindowMs: number;
  /** Forget every session, as a panel restart or an elapsed sessionMaxAge does. */
  expireSessions(): void;
  /** Close the listener (connections are refused) until up(). */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  /**
   * A panel restart: connections drop, sessions are forgotten, status is null for
   * `statusReadyAfterMs` (default 2000), traffic not polled yet is lost (and on v3.6.0 also the
   * traffic of the first poll after the start); stored counters stay.
   */
  restart(statusReadyAfterMs?: number): Promise<void>;
}

export interface SimulatedPanel {
  url: string;
  username: string;
  password: string;
  apiToken: string | null;
  version: string;
  generation: VersionProfile["generation"];
  /** The VLESS inbound; others (vmess, trojan, shadowsocks) have ids 2–4. */
  inboundId: number;
  faults: SimulatorFaults;
  state: SimState;
  close(): Promise<void>;
}

interface Session {
  loggedIn: boolean;
  csrf: string | null;
}

interface Request {
  method: string;
  path: string;
  segments: string[];
  headers: http.IncomingHttpHeaders;
  body: string;
  ip: string;
}

interface Reply {
  status: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string | string[]>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const LOGIN_WINDOW_MS = 5 * 60_000;
const LOGIN_BAN_MS = 15 * 60_000;
const WRONG_LOGIN = "Invalid username or password or two-factor code.";
const LOGIN_AGAIN = "Your session has expired, please log in again";
const WENT_WRONG = "Something went wrong";

const envelope = (success: boolean, msg: string, obj: unknown = null): Reply => ({
  status: 200,
  contentType: "application/json; charset=utf-8",
  body: JSON.stringify({ success, msg, obj }),
});
const ok = (obj: unknown = null, msg = "") => envelope(true, msg, obj);
const refused = (action: string, error: unknown) => envelope(false, `${action} (${error instanceof Error ? error.message : String(error)})`);
const empty = (status: number): Reply => ({ status });

export async function startSimulator(options: SimulatorOptions): Promise<SimulatedPanel> {
  const profile = profileFor(options.version);
  const username = options.username ?? "admin";
  const password = options.password ?? randomBytes(9).toString("base64url");
  const apiToken = profile.isV3 ? (options.apiToken ?? null) : null;
  const basePath = normalizeBasePath(options.basePath ?? "/");
  const maxAge = options.sessionMaxAgeSeconds ?? 360 * 60;
  const state = new SimState(seedInbounds(), profile.traffic);
  const pollMs = options.trafficPollMs ?? profile.trafficPollMs;
  // Xray keeps counting while the panel's HTTP side is down; only close() stops the job.
  const poller = pollMs > 0 ? setInterval(() => state.poll(), pollMs) : null;
  poller?.unref();
  const sessions = new Map<string, Session>();
  const loginFailures = new Map<string, number[]>();
  const bannedUntil = new Map<string, number>();
  const sockets = new Set<Socket>();
  const panelGuid = randomUUID();
  const startedAt = Date.now();
  let statusReadyAt = startedAt + (options.statusReadyAfterMs ?? 0);
  // Gin's default 404 until v2.8.5 added a NoRoute handler that aborts with an empty body.
  const notFound = (): Reply => (profile.emptyNotFound ? empty(404) : { status: 404, contentType: "text/plain", body: "404 page not found" });

  const faults: SimulatorFaults = {
    latencyMs: 0,
    hang: false,
    http500: false,
    reset: false,
    addRaceWindowMs: 0,
    expireSessions: () => sessions.clear(),
    down: () => closeListener(),
    up: () => listen(port),
    restart: async (statusReadyAfterMs = 2_000) => {
      await closeListener();
      sessions.clear();
      state.restart();
      statusReadyAt = Date.now() + statusReadyAfterMs;
      await listen(port);
    },
  };

  const server = http.createServer((req, res) => {
    void serve(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (faults.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    if (faults.hang) return;
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.http500) return send(res, { status: 500, contentType: "text/plain", body: "Internal Server Error" });
    const body = await readBody(req);
    if (body === null) return send(res, { status: 413 });
    const url = new URL(req.url ?? "/", "http://sim");
    if (!url.pathname.startsWith(basePath) && `${url.pathname}/` !== basePath) return send(res, notFound());
    const path = url.pathname.slice(basePath.length) + url.search;
    const request: Request = {
      method: req.method ?? "GET",
      path: url.pathname.slice(basePath.length),
      segments: url.pathname.slice(basePath.length).split("/").filter(Boolean).map(decodeURIComponent),
      headers: req.headers,
      body,
      ip: req.socket.remoteAddress ?? "",
    };
    let reply: Reply;
    try {
      reply = await route(request, url.searchParams);
    } catch (error) {
      reply = { status: 500, contentType: "text/plain", body: `simulator error on ${path}: ${String(error)}` };
    }
    send(res, reply);
  }

  function route(req: Request, query: URLSearchParams): Reply | Promise<Reply> {
    const { method, segments } = req;
    const [first, second] = segments;
    const isXhr = req.headers["x-requested-with"] === "XMLHttpRequest";
    const session = sessionOf(req);
    const bearer = bearerOk(req);

    if (method === "GET" && segments.length === 0) {
      if (session.value?.loggedIn) return redirect("panel/");
      return html(loginPage());
    }
    if (method === "GET" && first === "csrf-token" && profile.isV3) {
      const s = session.value ?? newSession();
      s.session.csrf ??= randomBytes(32).toString("base64url");
      return { ...ok(s.session.csrf), headers: { "Set-Cookie": cookieHeader(s.id) } };
    }
    if (method === "POST" && first === "login" && segments.length === 1) {
      if (profile.isV3 && !csrfOk(req, session.value?.session)) return empty(403);
      return login(req, session.value);
    }
    if (method === "GET" && first === "panel" && segments.length === 1) {
      if (!session.value?.loggedIn) return redirect("");
      return html(`<script>window.X_UI_CUR_VER="${profile.version}"</script>`);
    }
    // ≤v2.6 serves status outside the API group, behind checkLogin.
    if (first === "server" && second === "status" && segments.length === 2 && profile.generation === "g2" && method === "POST") {
      if (!session.value?.loggedIn) return loggedOut(isXhr, "checkLogin");
      return ok(statusObject());
    }
    if (first === "panel" && second === "api") {
      const authed = bearer || session.value?.loggedIn === true;
      if (!authed) return loggedOut(isXhr, "api");
      if (profile.isV3 && !bearer && method === "POST" && !csrfOk(req, session.value?.session)) return empty(403);
      return api(req, segments.slice(2), query);
    }
    return notFound();
  }

  function api(req: Request, s: string[], query: URLSearchParams): Reply | Promise<Reply> {
    const { method } = req;
    const [group, action, third, fourth] = s;
    const get = method === "GET";
    const post = method === "POST";
    if (group === "server" && action === "status" && get && s.length === 2 && profile.generation !== "g2") {
      return ok(statusObject());
    }
    if (group === "inbounds" && post && action === "add" && s.length === 2) return addInbound(req);
    if (group === "inbounds" && post && action === "del" && third && s.length === 3) {
      return attempt(WENT_WRONG, () => {
        state.deleteInbound(Number(third), { keepClientRecords: profile.generation === "g4" });
        return ok(null, "Inbound has been deleted.");
      });
    }
    if (group === "inbounds") {
      if (get && action === "list" && s.length === 2) return ok(state.inbounds.map((i) => inboundJson(i, true, false)));
      if (get && action === "list" && third === "slim" && profile.generation === "g4") {
        return ok(state.inbounds.map((i) => inboundJson(i, true, true)));
      }
      if (get && action === "get" && third && s.length === 3) {
        return attempt("Obtain", () =>
          ok(inboundJson(state.inbound(Number(third)), profile.generation === "g4", false)),
        );
      }
      if (profile.generation !== "g4") {
        if (post && action === "addClient" && s.length === 2) return legacyAdd(req);
        if (post && action === "updateClient" && third && s.length === 3) return legacyUpdate(req, third);
        if (post && third === "delClient" && fourth && s.length === 4) {
          return attempt(WENT_WRONG, () => {
            state.deleteClientByKey(Number(action), fourth, { refuseUnknown: profile.refusesUnknownClientDelete });
            return ok(null, "Inbound client has been deleted.");
          });
        }
        if (get && action === "getClientTraffics" && third && s.length === 3) return trafficReply(third);
        if (post && third === "resetClientTraffic" && fourth && s.length === 4) return resetTraffic(fourth);
        if (post && action === "updateClientTraffic" && third && s.length === 3) return setTraffic(req, third);
        if (post && action === "onlines" && s.length === 2) {
          const online = state.onlineEmails();
          return ok(online.length || profile.onlinesEmptyArray ? online : null);
        }
      }
    }
    if (group === "clients" && profile.generation === "g4") {
      if (get && action === "get" && third && s.length === 3) return g4Get(third);
      if (post && action === "add" && s.length === 2) return g4Add(req);
      if (post && action === "update" && third && s.length === 3) return g4Update(req, third);
      if (post && action === "del" && third && s.length === 3) {
        return attempt(WENT_WRONG, () => {
          state.deleteClientEverywhere(third);
          return ok(null, "Inbound client has been deleted.");
        });
      }
      if (post && third === "detach" && action && s.length === 3) return g4Detach(req, action);
      if (get && action === "traffic" && third && s.length === 3) return trafficReply(third);
      if (post && action === "resetTraffic" && third && s.length === 3) return resetTraffic(third);
      if (post && action === "updateTraffic" && third && s.length === 3) return setTraffic(req, third);
      if (post && action === "onlines" && s.length === 2) return ok(state.onlineEmails());
      if (get && action === "list" && third === "paged" && s.length === 3) {
        const pageSize = Math.min(Number(query.get("pageSize") ?? 25) || 25, 200);
        const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
        const inbound = query.get("inbound");
        const all = state.clients(inbound ? Number(inbound) : undefined);
        const items = all.slice((page - 1) * pageSize, page * pageSize).map((c) => ({ ...c, traffic: trafficRow(String(c.email), false) }));
        return ok({ items, total: state.clients().length, filtered: all.length, page, pageSize });
      }
    }
    return notFound();
  }

  async function legacyAdd(req: Request): Promise<Reply> {
    const saves: (() => void)[] = [];
    const reply = attempt(WENT_WRONG, () => {
      const { id, clients } = bindLegacyClients(req.body);
      const inbound = state.inbound(id);
      const before = inbound.settings.clients.slice();
      state.addClients(id, clients);
      if (faults.addRaceWindowMs > 0) {
        // Read now, write the whole list later: whatever others save meanwhile is overwritten.
        const written = inbound.settings.clients.slice();
        inbound.settings.clients = before;
        saves.push(() => {
          inbound.settings.clients = written;
        });
      }
      return ok(null, "Inbound client(s) have been added.");
    });
    if (saves.length > 0) {
      await new Promise((r) => setTimeout(r, faults.addRaceWindowMs));
      for (const save of saves) save();
    }
    return reply;
  }

  function legacyUpdate(req: Request, key: string): Reply {
    return attempt(WENT_WRONG, () => {
      const { id, clients } = bindLegacyClients(req.body);
      const next = clients[0];
      if (!next) throw new GoError("empty client ID\n");
      state.replaceClient(id, key, next);
      return ok(null, "Inbound client has been updated.");
    });
  }

  // model.Inbound binding on v2: settings is a Go string, so an object fails to bind.
  function bindLegacyClients(body: string): { id: number; clients: RawObject[] } {
    const data = parseJsonObject(body);
    if (typeof data.settings !== "string") {
      throw new GoError("json: cannot unmarshal object into Go struct field Inbound.settings of type string");
    }
    const settings = parseJsonObject(data.settings);
    const clients = Array.isArray(settings.clients) ? (settings.clients as RawObject[]) : [];
    return { id: Number(data.id), clients };
  }

  // v3 finds client rows with SQL `email = ?`: the exact spelling only. An orphaned record has no inbounds.
  function g4Record(email: string) {
    const found = state.findClient(email);
    const record = found?.client.email === email ? found.client : state.findOrphan(email);
    if (!record) return null;
    const { id, totalGB, ...rest } = record;
    const inboundIds = state.inbounds.filter((i) => i.settings.clients.some((c) => c.email === email)).map((i) => i.id);
    const records = [...state.clients(), ...state.orphans];
    return {
      client: { ...rest, id: records.findIndex((c) => c.email === email) + 1, uuid: id ?? "", totalGB },
      inboundIds,
    };
  }

  function g4Get(email: string): Reply {
    const record = g4Record(email);
    if (!record) return refused("Obtain", "record not found");
    const row = state.traffic.get(email.toLowerCase());
    return ok({ ...record, externalLinks: [], usedTraffic: row ? row.up + row.down : 0 });
  }

  // inbounds/add: the inbound JSON with settings, streamSettings and sniffing as JSON strings (v3.1+ also objects).
  function addInbound(req: Request): Reply {
    return attempt(WENT_WRONG, () => {
      const data = parseJsonObject(req.body);
      const field = (name: string): RawObject => {
        const value = data[name];
        if (typeof value === "string") return value.trim() ? parseJsonObject(value) : {};
        if (typeof value === "object" && value !== null && !Array.isArray(value) && profile.settingsAsObjects) return value as RawObject;
        throw new GoError(`json: cannot unmarshal ${typeof value} into Go struct field Inbound.${name} of type string`);
      };
      const settings = field("settings");
      if (profile.generation === "g4") requireNumericTgIds(Array.isArray(settings.clients) ? (settings.clients as RawObject[]) : [], "Client.tgId");
      const inbound = state.addInbound({
        remark: String(data.remark ?? ""),
        protocol: String(data.protocol ?? ""),
        port: Number(data.port ?? 0),
        listen: String(data.listen ?? ""),
        enable: data.enable !== false,
        settings: { ...settings, clients: Array.isArray(settings.clients) ? (settings.clients as RawObject[]) : [] },
        streamSettings: field("streamSettings"),
        sniffing: field("sniffing"),
      });
      return ok(inboundJson(inbound, false, false), "Inbound has been created.");
    });
  }

  function g4Add(req: Request): Reply {
    return attempt(WENT_WRONG, () => {
      const payload = parseJsonObject(req.body);
      const client = { ...(payload.client as RawObject | undefined) };
      requireNumericTgIds([client], "Client.client.tgId");
      const email = String(client.email ?? "");
      if (!email.trim()) throw new GoError("client email is required\n");
      if (/[/\\\s]/.test(email)) throw new GoError(`invalid email ${JSON.stringify(email)}\n`);
      const inboundIds = Array.isArray(payload.inboundIds) ? payload.inboundIds.map(Number) : [];
      if (inboundIds.length === 0) throw new GoError("at least one inbound is required\n");
      if (state.clients().some((c) => c.email === email) || state.findOrphan(email)) throw new GoError(`email already in use: ${email}\n`);
      client.subId ||= randomUUID();
      client.enable = true;
      for (const inboundId of inboundIds) {
        const withDefaults = { ...client };
        fillProtocolDefaults(state.inbound(inboundId).protocol, withDefaults);
        state.addClients(inboundId, [withDefaults]);
      }
      return ok(null, "Inbound client(s) have been added.");
    });
  }

  function g4Update(req: Request, email: string): Reply {
    return attempt(WENT_WRONG, () => {
      const found = state.findClient(email);
      if (!found || found.client.email !== email) throw new GoError("record not found");
      const next: RawObject = { ...parseJsonObject(req.body), email: found.client.email };
      if (!next.id && profile.updateMintsUuid && (found.inbound.protocol === "vless" || found.inbound.protocol === "vmess")) {
        next.id = randomUUID();
      }
      for (const field of ["id", "password"] as const) if (!next[field] && found.client[field]) next[field] = found.client[field];
      for (const inbound of state.inbounds) {
        const match = inbound.settings.clients.find((c) => c.email === found.client.email);
        if (match) state.replaceClient(inbound.id, clientKey(inbound.protocol, match), next);
      }
      return ok(null, "Inbound client has been updated.");
    });
  }

  function g4Detach(req: Request, email: string): Reply {
    return attempt(WENT_WRONG, () => {
      if (!g4Record(email)) throw new GoError("record not found");
      const ids = parseJsonObject(req.body).inboundIds;
      state.detachClient(email, Array.isArray(ids) ? ids.map(Number) : []);
      return ok(null, "Inbound client has been deleted.");
    });
  }

  // Traffic rows are looked up by the exact spelling of the email (real v2.6.8, v2.9.4, v3.6.0).
  /** `known`: the client and the rows' ids when the caller lists a whole inbound (looking each up would be quadratic). */
  function trafficRow(email: string, isSlim: boolean, known?: { client: RawObject; ids: Map<string, number> }): RawObject | null {
    const row = state.traffic.get(email.toLowerCase());
    if (!row || row.email !== email) return null;
    const client = known ? known.client : (state.findClient(email)?.client ?? state.findOrphan(email));
    return {
      id: known ? known.ids.get(email.toLowerCase())! : [...state.traffic.keys()].indexOf(email.toLowerCase()) + 1,
      inboundId: row.inboundId,
      enable: row.enable,
      email: row.email,
      ...(profile.trafficRowHasIdentity ? { uuid: isSlim ? "" : String(client?.id ?? ""), subId: isSlim ? "" : String(client?.subId ?? "") } : {}),
      up: row.up,
      down: row.down,
      ...(profile.trafficRowHasAllTime ? { allTime: row.allTime } : {}),
      expiryTime: Number(client?.expiryTime ?? 0),
      total: Number(client?.totalGB ?? 0),
      reset: Number(client?.reset ?? 0),
      lastOnline: row.lastOnline,
    };
  }

  function trafficReply(email: string): Reply {
    const row = trafficRow(email, false);
    if (row) return ok(row);
    return profile.trafficNotFoundRefuses ? refused("Error getting traffics.", `Inbound Not Found For Email: ${email}\n`) : ok(null);
  }

  function setTraffic(req: Request, email: string): Reply {
    return attempt(WENT_WRONG, () => {
      const body = parseJsonObject(req.body);
      state.setTraffic(email, Number(body.upload ?? 0), Number(body.download ?? 0));
      return ok(null, "Inbound client has been updated.");
    });
  }

  function resetTraffic(email: string): Reply {
    return attempt(WENT_WRONG, () => {
      state.resetTraffic(email);
      return ok(null, "Traffic has been reset.");
    });
  }

  function statusObject(): RawObject | null {
    if (Date.now() < statusReadyAt) return null;
    const status: RawObject = {
      cpu: 12.5,
      cpuCores: 2,
      logicalPro: 2,
      cpuSpeedMhz: 2400,
      mem: { current: 512 * 1024 * 1024, total: 2048 * 1024 * 1024 },
      swap: { current: 0, total: 0 },
      disk: { current: 5 * 1024 ** 3, total: 20 * 1024 ** 3 },
      xray: {
        state: state.xrayState,
        errorMsg: state.xrayState === "error" ? "simulated crash" : "",
        version: "25.10.31",
      },
      uptime: Math.floor((Date.now() - startedAt) / 1000) + 3600,
      loads: [0.1, 0.2, 0.3],
      tcpCount: 10,
      udpCount: 2,
      netIO: { up: 1000, down: 2000 },
      netTraffic: { sent: 10_000, recv: 20_000 },
      publicIP: { ipv4: "127.0.0.1", ipv6: "" },
      appStats: { threads: 20, mem: 50 * 1024 * 1024, uptime: 3600 },
    };
    if (profile.statusHasPanelVersion) status.panelVersion = profile.version;
    if (profile.statusHasPanelGuid) status.panelGuid = panelGuid;
    return status;
  }

  function inboundJson(inbound: SimInbound, withStats: boolean, slim: boolean): RawObject {
    const settings = slim
      ? { ...inbound.settings, clients: inbound.settings.clients.map((c) => ({ email: c.email, enable: c.enable, comment: c.comment })) }
      : inbound.settings;
    const encode = (value: RawObject) => (profile.settingsAsObjects ? value : JSON.stringify(value, null, 2));
    const { settings: _s, streamSettings, sniffing, ...rest } = inbound;
    const ids = withStats ? new Map([...state.traffic.keys()].map((key, i) => [key, i + 1])) : new Map<string, number>();
    return {
      ...rest,
      clientStats: withStats ? inbound.settings.clients.map((c) => trafficRow(String(c.email), slim, { client: c, ids })).filter((row) => row !== null) : null,
      settings: encode(settings),
      streamSettings: encode(streamSettings),
      sniffing: encode(sniffing),
    };
  }

  function login(req: Request, current: { id: string; session: Session } | null): Reply {
    const form = parseLoginBody(req);
    if (!form) return envelope(false, "Invalid form data");
    if (!form.username) return envelope(false, "Username is required");
    if (!form.password) return envelope(false, "Password is required");
    const limiterKey = `${req.ip}|${form.username}`;
    const now = Date.now();
    if (profile.loginLimiter && (bannedUntil.get(limiterKey) ?? 0) > now) return envelope(false, WRONG_LOGIN);
    if (form.username !== username || form.password !== password) {
      if (profile.loginLimiter) {
        const recent = (loginFailures.get(limiterKey) ?? []).filter((t) => now - t < LOGIN_WINDOW_MS);
        recent.push(now);
        loginFailures.set(limiterKey, recent);
        if (recent.length >= 5) bannedUntil.set(limiterKey, now + LOGIN_BAN_MS);
      }
      return envelope(false, WRONG_LOGIN);
    }
    loginFailures.delete(limiterKey);
    // The cookie store re-issues the cookie whenever the session changes.
    const csrf = current?.session.csrf ?? null;
    if (current) sessions.delete(current.id);
    const fresh = newSession();
    fresh.session.loggedIn = true;
    fresh.session.csrf = csrf;
    return { ...ok(null, " You have successfully logged into your account."), headers: { "Set-Cookie": cookieHeader(fresh.id) } };
  }

  function loggedOut(isXhr: boolean, guard: "api" | "checkLogin"): Reply {
    const mode = guard === "checkLogin" && profile.loggedOutApi !== "200-json" ? "401-json" : profile.loggedOutApi;
    switch (mode) {
      case "200-json":
        return isXhr ? envelope(false, LOGIN_AGAIN) : redirect("");
      case "401-json":
        return isXhr ? { ...envelope(false, LOGIN_AGAIN), status: 401 } : redirect("");
      case "404":
        return empty(404);
      case "401-empty":
        return empty(isXhr ? 401 : 404);
    }
  }

  function sessionOf(req: Request): { value: { id: string; session: Session; loggedIn: boolean } | null } {
    // Wrapped so call sites read session.value?.loggedIn without re-parsing cookies.
    const cookies = String(req.headers.cookie ?? "");
    for (const part of cookies.split(";")) {
      const [name, value] = part.trim().split("=");
      if (name === profile.cookieName && value) {
        const session = sessions.get(value);
        if (session) return { value: { id: value, session, loggedIn: session.loggedIn } };
      }
    }
    return { value: null };
  }

  function newSession(): { id: string; session: Session } {
    const id = randomBytes(24).toString("base64url");
    const session: Session = { loggedIn: false, csrf: null };
    sessions.set(id, session);
    return { id, session };
  }

  function cookieHeader(id: string): string {
    return `${profile.cookieName}=${id}; Path=${basePath}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax`;
  }

  function csrfOk(req: Request, session: Session | undefined): boolean {
    const token = req.headers["x-csrf-token"];
    return Boolean(session?.csrf) && token === session?.csrf;
  }

  function bearerOk(req: Request): boolean {
    if (!apiToken) return false;
    return req.headers.authorization === `Bearer ${apiToken}`;
  }

  function redirect(to: string): Reply {
    return { status: 307, headers: { Location: `${basePath}${to}` } };
  }

  function html(body: string): Reply {
    return { status: 200, contentType: "text/html; charset=utf-8", body };
  }

  function loginPage(): string {
    // v2 versions its asset URLs (§2 detection step 2); v3's login page does not.
    const asset = profile.isV3 ? "assets/index.js" : `assets/css/custom.min.css?${profile.version}`;
    return `<!DOCTYPE html><html><head><link rel="stylesheet" href="${basePath}${asset}"></head><body>login</body></html>`;
  }

  let port = options.port ?? 0;
  async function listen(at: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(at, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    port = (server.address() as AddressInfo).port;
  }

  async function closeListener(): Promise<void> {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  await listen(port);
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    username,
    password,
    apiToken,
    version: profile.version,
    generation: profile.generation,
    inboundId: 1,
    faults,
    state,
    close: async () => {
      if (poller) clearInterval(poller);
      await closeListener();
    },
  };
}

function attempt(action: string, fn: () => Reply): Reply {
  try {
    return fn();
  } catch (error) {
    if (error instanceof GoError) return refused(action, error);
    throw error;
  }
}

// v3.6.0 decodes tgId as int64: a string (even "") fails the whole request (real v2 stores any JSON type).
function requireNumericTgIds(clients: RawObject[], field: string): void {
  if (clients.some((c) => typeof c.tgId === "string")) {
    throw new GoError(`json: cannot unmarshal string into Go struct field ${field} of type int64`);
  }
}

function parseJsonObject(text: string): RawObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GoError(`invalid character in JSON: ${(error as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new GoError("json: expected an object");
  return value as RawObject;
}

function parseLoginBody(req: Request): { username: string; password: string } | null {
  const type = String(req.headers["content-type"] ?? "");
  try {
    if (type.includes("application/json")) {
      const data = JSON.parse(req.body) as RawObject;
      return { username: String(data.username ?? ""), password: String(data.password ?? "") };
    }
    const form = new URLSearchParams(req.body);
    return { username: form.get("username") ?? "", password: form.get("password") ?? "" };
  } catch {
    return null;
  }
}

function normalizeBasePath(path: string): string {
  const trimmed = path.replace(/^\/+|\/+$/g, "");
  return trimmed ? `/${trimmed}/` : "/";
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const headers: Record<string, string | string[]> = { ...reply.headers };
  if (reply.contentType) headers["Content-Type"] = reply.contentType;
  res.writeHead(reply.status, headers);
  res.end(reply.body ?? "");
}
