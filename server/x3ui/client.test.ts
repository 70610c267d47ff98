// Client behaviour the contract cannot show on a healthy panel: detection per
// version, session repair, auth failures, bad config, and failing panels.

import https from "node:https";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterEach, describe, expect, it } from "vitest";

import { startFaultProxy, type Fault, type FaultProxy } from "@/server/x3ui/testing/fault-proxy";
import { startTcpProxy, type TcpProxy } from "@/server/testing/tcp-proxy";
import { createPanelClient } from "./client";
import { MAX_IDLE_SOCKETS_PER_PANEL, spkiSha256Hex } from "./http";
import { startSimulator, type SimulatedPanel } from "./simulator";
import { isOutcomeUnknown, isPanelError, type PanelClientConfig } from "./types";

// Self-signed for 127.0.0.1, test use only.
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUZKRun02BiNIGJlFrPuBH8w/DCXMwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTIxMzM1MFoYDzIxMjYxMTAx
MjEzMzUwWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQc5Hw2yNOw7w3YJvF84CPEM2GtQGu39g5vNLXVvaeQPufQeR2bH/QS
W9AdJH+S/KoXgYpyzL0KhJV9Ce6mACj3o28wbTAdBgNVHQ4EFgQU5xIWCJSizQ3F
MdvEgy0R4wFto+gwHwYDVR0jBBgwFoAU5xIWCJSizQ3FMdvEgy0R4wFto+gwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSQAwRgIhAMxcMtdh3VwzMeG+9R+ONUvGmvn63DcaJxOwFwf+4GSXAiEA
0MSIWp2ApzwSmVTLWHyhgPJMP9KYuVT1pQVGLD+wIT4=
-----END CERTIFICATE-----`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgODuG/Kzq22GZUC8x
QoLwJt8vG7evYjh/KSBs1gQxGT+hRANCAAQc5Hw2yNOw7w3YJvF84CPEM2GtQGu3
9g5vNLXVvaeQPufQeR2bH/QSW9AdJH+S/KoXgYpyzL0KhJV9Ce6mACj3
-----END PRIVATE KEY-----`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function sim(version: string, extra: { apiToken?: string } = {}): Promise<SimulatedPanel> {
  const panel = await startSimulator({ version, ...extra });
  cleanups.push(() => panel.close());
  return panel;
}

function configFor(panel: SimulatedPanel, extra: Partial<PanelClientConfig> = {}): PanelClientConfig {
  return { baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 1000, ...extra };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error,
  );
}

async function serve(handler: http.RequestListener, tls = false): Promise<string> {
  const server = tls ? https.createServer({ cert: TEST_CERT, key: TEST_KEY }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `${tls ? "https" : "http"}://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

describe("detection", () => {
  it.each([
    ["1.5.0", "g2", "1.5.0"],
    ["2.6.0", "g2", "2.6.0"],
    ["2.8.11", "g3", "2.8.11"],
    ["3.0.2", "g3", "3.0.2"],
    ["3.1.0", "g4", "3.1.0"],
    ["3.6.0", "g4", "3.6.0"],
  ])("v%s is %s and reports its version", async (version, generation, reported) => {
    const client = createPanelClient(configFor(await sim(version)));
    expect(client.generation).toBeUndefined();
    expect(await client.detect()).toMatchObject({ generation, version: reported });
    expect(client.generation).toBe(generation);
  });

  // A first-ever check asked for the CSRF token twice (detection, then the sign-in) and for the
  // server status twice (detection, then the check): 9 requests per v2.8 panel, 7 now.
  it.each([
    ["2.6.0", ["GET /", "GET /csrf-token", "POST /login", "GET /panel/api/server/status"], false],
    ["2.8.11", ["GET /", "GET /csrf-token", "POST /login", "GET /panel/api/server/status"], true],
    ["3.6.0", ["GET /", "GET /csrf-token", "POST /login", "GET /panel/api/server/status"], true],
  ])("v%s: asks for the CSRF token once and hands over the server status it read, once", async (version, requests, hasStatus) => {
    const panel = await sim(version);
    const proxy = await startFaultProxy(panel.url);
    cleanups.push(() => proxy.close());
    const client = createPanelClient(configFor({ ...panel, url: proxy.url }));
    const detection = await client.detect();
    expect(proxy.log.map((r) => `${r.method} ${r.path}`)).toEqual(requests);
    if (hasStatus) {
      expect(detection.status?.value.xray.state).toBe("running");
      expect(Number.isInteger(detection.status?.latencyMs)).toBe(true);
    } else {
      expect(detection.status).toBeUndefined();
    }
    // From the cache: no request, and no status that would be stale by now.
    expect(await client.detect()).toEqual({ generation: detection.generation, version: detection.version });
    expect(proxy.log).toHaveLength(requests.length);
  });

  it("trusts a persisted generation and skips detection", async () => {
    const panel = await sim("2.8.11");
    const client = createPanelClient(configFor(panel, { generation: "g3" }));
    expect(client.generation).toBe("g3");
    expect((await client.getServerStatus()).xray.state).toBe("running");
  });
});

describe("sessions", () => {
  it.each(["1.5.0", "2.3.0", "2.8.11", "3.0.2", "3.6.0"])("v%s: re-logs in once after the session expired", async (version) => {
    const panel = await sim(version);
    const client = createPanelClient(configFor(panel));
    await client.listInbounds();
    panel.faults.expireSessions();
    expect((await client.listInbounds()).length).toBe(4);
    panel.faults.expireSessions();
    expect(await client.getOnlineClients()).toEqual([]);
  });

  it("reports a wrong password as auth and never retries the login", async () => {
    const panel = await sim("3.6.0");
    const client = createPanelClient(configFor(panel, { password: "nope" }));
    const error = await failure(client.listInbounds());
    expect(isPanelError(error, "auth")).toBe(true);
  });

  it("v3 bans the login after five failures, even for the right password", async () => {
    const panel = await sim("3.6.0");
    for (let i = 0; i < 5; i++) await failure(createPanelClient(configFor(panel, { password: "nope" })).listInbounds());
    const error = await failure(createPanelClient(configFor(panel)).listInbounds());
    expect(isPanelError(error, "auth")).toBe(true);
  });

  it("uses a Bearer token without logging in, and reports a wrong one as auth", async () => {
    const panel = await sim("3.6.0", { apiToken: "t0ken" });
    const good = createPanelClient({ baseUrl: panel.url, apiToken: "t0ken", timeoutMs: 1000 });
    expect((await good.listInbounds()).map((i) => i.protocol)).toEqual(["vless", "vmess", "trojan", "shadowsocks"]);
    const bad = createPanelClient({ baseUrl: panel.url, apiToken: "wrong", timeoutMs: 1000 });
    expect(isPanelError(await failure(bad.listInbounds()), "auth")).toBe(true);
  });
});

describe("bad config", () => {
  it.each<[string, Partial<PanelClientConfig>, string]>([
    ["an invalid URL", { baseUrl: "not a url" }, "protocol"],
    ["a non-http URL", { baseUrl: "ftp://127.0.0.1/" }, "protocol"],
    ["no credentials", { username: undefined, password: undefined }, "auth"],
    ["a pin on plain http", { tls: { mode: "pin", spkiSha256: "00".repeat(32) } }, "protocol"],
  ])("rejects %s", (_name, override, kind) => {
    const config = { baseUrl: "http://127.0.0.1:1/", username: "u", password: "p", timeoutMs: 100, ...override };
    let error: unknown;
    try {
      createPanelClient(config);
    } catch (e) {
      error = e;
    }
    expect(isPanelError(error, kind as "auth")).toBe(true);
  });

  it("reports a wrong base path as protocol, not as a missing client", async () => {
    const panel = await sim("2.8.11");
    const client = createPanelClient(configFor(panel, { baseUrl: `${panel.url}wrong/`, generation: "g3" }));
    const error = await failure(client.getClient(1, "someone"));
    expect(isPanelError(error, "protocol")).toBe(true);
  });
});

describe("failing panels", () => {
  it("times out on a hanging panel", async () => {
    const panel = await sim("3.6.0");
    const client = createPanelClient(configFor(panel, { timeoutMs: 200 }));
    await client.detect();
    panel.faults.hang = true;
    const started = Date.now();
    const error = await failure(client.getServerStatus());
    expect(isPanelError(error, "timeout")).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("times out when latency exceeds the deadline, and works when it does not", async () => {
    const panel = await sim("2.6.0");
    const client = createPanelClient(configFor(panel, { timeoutMs: 300 }));
    panel.faults.latencyMs = 50;
    expect((await client.getServerStatus()).xray.state).toBe("running");
    panel.faults.latencyMs = 500;
    expect(isPanelError(await failure(client.getServerStatus()), "timeout")).toBe(true);
  });

  it("reports HTTP 500 as protocol with the status", async () => {
    const panel = await sim("2.8.11");
    panel.faults.http500 = true;
    const error = await failure(createPanelClient(configFor(panel)).listInbounds());
    expect(isPanelError(error, "protocol") && error.status).toBe(500);
  });

  it("reports a connection reset as unreachable", async () => {
    const panel = await sim("3.6.0");
    panel.faults.reset = true;
    expect(isPanelError(await failure(createPanelClient(configFor(panel)).listInbounds()), "unreachable")).toBe(true);
  });

  it("reports a panel that is down as unreachable, and recovers when it is back", async () => {
    const panel = await sim("3.6.0");
    const client = createPanelClient(configFor(panel));
    await client.detect();
    await panel.faults.down();
    expect(isPanelError(await failure(client.getServerStatus()), "unreachable")).toBe(true);
    await panel.faults.up();
    expect((await client.getServerStatus()).xray.state).toBe("running");
  });

  it("reports Xray stopped", async () => {
    const panel = await sim("2.8.11");
    panel.state.xrayState = "stop";
    const status = await createPanelClient(configFor(panel)).getServerStatus();
    expect(status.xray).toMatchObject({ state: "stop", version: "25.10.31" });
  });

  it("caps the response size", async () => {
    const panel = await sim("2.8.11");
    const error = await failure(createPanelClient(configFor(panel, { maxResponseBytes: 512 })).listInbounds());
    expect(isPanelError(error, "protocol")).toBe(true);
    expect((error as Error).message).toMatch(/exceeds 512 bytes/);
  });

  it("never follows a redirect", async () => {
    let hits = 0;
    const url = await serve((req, res) => {
      hits += 1;
      res.writeHead(307, { Location: "https://127.0.0.1:1/" }).end();
    });
    const error = await failure(createPanelClient({ baseUrl: url, username: "u", password: "p", timeoutMs: 500, generation: "g3" }).listInbounds());
    expect(isPanelError(error, "protocol")).toBe(true);
    expect((error as Error).message).toMatch(/redirected to https:\/\/127\.0\.0\.1:1\//);
    expect(hits).toBe(2); // csrf-token probe + login, nothing at the redirect target
  });

  it("answers a status without data (a panel just started) as not_ready, then the status", async () => {
    const panel = await sim("2.9.4");
    const client = createPanelClient(configFor(panel));
    await panel.faults.restart(300);
    expect(isPanelError(await failure(client.getServerStatus()), "not_ready")).toBe(true);
    await new Promise((r) => setTimeout(r, 350));
    expect((await client.getServerStatus()).xray.state).toBe("running");
  });

  it("treats a non-envelope answer as protocol", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" }).end("[1,2]");
    });
    const client = createPanelClient({ baseUrl: url, apiToken: "t", timeoutMs: 500, generation: "g4" });
    expect(isPanelError(await failure(client.getServerStatus()), "protocol")).toBe(true);
  });
});

describe("unknown outcomes (invariant 8)", () => {
  async function behind(fault: Fault, version = "2.9.4"): Promise<{ panel: SimulatedPanel; proxy: FaultProxy; add: () => Promise<unknown> }> {
    const panel = await sim(version);
    const proxy = await startFaultProxy(panel.url, [{ method: "POST", path: /addClient|clients\/add/, fault, times: 1 }]);
    cleanups.push(() => proxy.close());
    const client = createPanelClient(configFor({ ...panel, url: proxy.url }, { timeoutMs: 300 }));
    return { panel, proxy, add: () => failure(client.addClient(1, { email: "t-unknown", id: "8a1f0c7e-0000-4000-8000-00000000000a" })) };
  }

  it.each([
    ["a timeout after the request was sent", { kind: "land-then-hang" }, "timeout"],
    ["a reset after the panel applied it", { kind: "reset-after" }, "unreachable"],
    ["an HTTP 500 after the panel applied it", { kind: "http500-after" }, "protocol"],
    ["an HTTP 200 whose body does not parse", { kind: "garble-after" }, "protocol"],
  ] as const)("%s is an unknown outcome, and the write did land", async (_label, fault, kind) => {
    const { panel, add } = await behind(fault);
    const error = await add();
    expect(isPanelError(error, kind)).toBe(true);
    expect(isOutcomeUnknown(error)).toBe(true);
    expect(panel.state.clients(1).map((c) => c.email)).toContain("t-unknown");
  });

  it.each([
    ["an HTTP 500 before the panel saw it", { kind: "http500" }],
    ["a reset before the panel saw it", { kind: "reset" }],
    ["a hang before the panel saw it", { kind: "hang" }],
  ] as const)("%s is unknown to us too: only a read-back can tell", async (_label, fault) => {
    const { panel, add } = await behind(fault);
    expect(isOutcomeUnknown(await add())).toBe(true);
    expect(panel.state.clients(1).map((c) => c.email)).not.toContain("t-unknown");
  });

  it("a refused connection, a refusal or a bad request is a known failure: nothing was applied", async () => {
    const panel = await sim("2.9.4");
    const client = createPanelClient(configFor(panel));
    await client.detect();
    const duplicate = await failure(client.addClient(1, { email: "seed-vless", id: "8a1f0c7e-0000-4000-8000-00000000000b" }));
    expect(isPanelError(duplicate, "duplicate") && !isOutcomeUnknown(duplicate)).toBe(true);
    await panel.faults.down();
    const refused = await failure(client.addClient(1, { email: "t-refused", id: "8a1f0c7e-0000-4000-8000-00000000000c" }));
    expect(isPanelError(refused, "unreachable") && !isOutcomeUnknown(refused)).toBe(true);
  });

  it("signs in once for many concurrent calls on a fresh or expired session", async () => {
    for (const version of ["2.9.4", "3.6.0"]) {
      const panel = await sim(version);
      const proxy = await startFaultProxy(panel.url);
      cleanups.push(() => proxy.close());
      const client = createPanelClient(configFor({ ...panel, url: proxy.url }, { generation: panel.generation }));
      const logins = () => proxy.log.filter((r) => r.path.endsWith("/login")).length;
      await Promise.all(Array.from({ length: 20 }, () => client.listInbounds()));
      expect(logins()).toBe(1);
      panel.faults.expireSessions();
      await Promise.all(Array.from({ length: 20 }, () => client.listInbounds()));
      expect(logins()).toBe(2);
    }
  });
});

describe("TLS modes", () => {
  const okBody = JSON.stringify({ success: true, msg: "", obj: [] });
  const certDer = Buffer.from(TEST_CERT.replace(/-----[^-]+-----|\s/g, ""), "base64");

  async function tlsPanel() {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(String(req.headers.authorization));
      res.writeHead(200, { "Content-Type": "application/json" }).end(okBody);
    }, true);
    const config = (tls: PanelClientConfig["tls"]): PanelClientConfig => ({ baseUrl: url, apiToken: "secret", timeoutMs: 1000, generation: "g3", tls });
    return { seen, config };
  }

  it("verify refuses a self-signed certificate", async () => {
    const { seen, config } = await tlsPanel();
    expect(isPanelError(await failure(createPanelClient(config({ mode: "verify" })).listInbounds()), "unreachable")).toBe(true);
    expect(seen).toEqual([]);
  });

  it("skip accepts it", async () => {
    const { config } = await tlsPanel();
    expect(await createPanelClient(config({ mode: "skip" })).listInbounds()).toEqual([]);
  });

  it("pin accepts the right public key in hex or base64", async () => {
    const { config } = await tlsPanel();
    const hex = spkiSha256Hex(certDer);
    expect(await createPanelClient(config({ mode: "pin", spkiSha256: hex })).listInbounds()).toEqual([]);
    const b64 = Buffer.from(hex, "hex").toString("base64");
    expect(await createPanelClient(config({ mode: "pin", spkiSha256: b64 })).listInbounds()).toEqual([]);
  });

  it("pin refuses another key before sending the token", async () => {
    const { seen, config } = await tlsPanel();
    const error = await failure(createPanelClient(config({ mode: "pin", spkiSha256: "ab".repeat(32) })).listInbounds());
    expect(isPanelError(error, "unreachable")).toBe(true);
    expect(seen).toEqual([]);
  });
});

describe("address check (SSRF guard)", () => {
  async function recordingPanel(tls: boolean) {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ success: true, msg: "", obj: [] }));
    }, tls);
    return { seen, url };
  }

  it.each([false, true])("refuses a peer address it does not allow before sending anything (tls: %s)", async (tls) => {
    const { seen, url } = await recordingPanel(tls);
    const checked: string[] = [];
    const config: PanelClientConfig = {
      baseUrl: url.replace("127.0.0.1", "localhost"),
      apiToken: "secret",
      timeoutMs: 1000,
      generation: "g3",
      tls: { mode: "skip" },
      allowAddress: (address) => (checked.push(address), false),
    };
    const error = await failure(createPanelClient(config).listInbounds());
    expect(isPanelError(error, "unreachable")).toBe(true);
    expect((error as Error).message).toMatch(/not allowed/);
    expect(checked[0]).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
    expect(seen).toEqual([]);
  });

  it("lets an allowed address through", async () => {
    const { seen, url } = await recordingPanel(false);
    const config: PanelClientConfig = { baseUrl: url, apiToken: "secret", timeoutMs: 1000, generation: "g3", allowAddress: () => true };
    expect(await createPanelClient(config).listInbounds()).toEqual([]);
    expect(seen).toHaveLength(1);
  });
});

describe("connection reuse (keep-alive per panel)", () => {
  async function proxied(url: string): Promise<{ proxy: TcpProxy; url: string }> {
    const { hostname, port } = new URL(url);
    const proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    cleanups.push(() => proxy.close());
    return { proxy, url: url.replace(`:${port}/`, `:${proxy.port}/`) };
  }

  it("a first check's calls — detection, sign-in, status, inbound, onlines — share the panel's connections; a mutation opens its own", async () => {
    for (const version of ["2.6.0", "2.9.4", "3.6.0"]) {
      const panel = await sim(version);
      const { proxy, url } = await proxied(panel.url);
      const client = createPanelClient(configFor({ ...panel, url }));
      await client.detect();
      await client.getServerStatus();
      expect(proxy.acceptedConnections).toBe(1);
      await Promise.all([client.getInbound(1), client.getOnlineClients()]);
      expect(proxy.acceptedConnections).toBeLessThanOrEqual(2);
      const before = proxy.acceptedConnections;
      await client.addClient(1, { email: `t-keepalive-${version}`, id: "8a1f0c7e-0000-4000-8000-00000000000d" });
      expect(proxy.acceptedConnections).toBe(before + 1);
    }
  });

  it("checks the address of every new socket and writes nothing to one it refuses, however many calls the pool served before", async () => {
    const seen: string[] = [];
    const { proxy, url } = await proxied(
      await serve((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ success: true, msg: "", obj: [] }));
      }),
    );
    let isAllowed = true;
    let checks = 0;
    const client = createPanelClient({ baseUrl: url, apiToken: "secret", timeoutMs: 1000, generation: "g3", allowAddress: () => (checks++, isAllowed) });
    for (let i = 0; i < 3; i++) await client.listInbounds();
    expect(checks).toBe(1);
    await Promise.all([client.listInbounds(), client.listInbounds(), client.listInbounds()]);
    expect(checks).toBe(proxy.acceptedConnections);
    expect(seen).toHaveLength(6);

    // The pooled connections drop; the next socket is new and its address is refused now.
    proxy.cut();
    proxy.restore();
    isAllowed = false;
    const error = await failure(client.listInbounds());
    expect(isPanelError(error, "unreachable") && error.transport?.code).toBe("ADDRESS_NOT_ALLOWED");
    expect(seen).toHaveLength(6);
  });

  it(`keeps at most ${MAX_IDLE_SOCKETS_PER_PANEL} idle sockets per panel`, async () => {
    const panel = await sim("3.6.0");
    const { proxy, url } = await proxied(panel.url);
    const client = createPanelClient(configFor({ ...panel, url }, { generation: "g4" }));
    await Promise.all(Array.from({ length: 8 }, () => client.listInbounds()));
    expect(proxy.acceptedConnections).toBeGreaterThan(MAX_IDLE_SOCKETS_PER_PANEL);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(proxy.openConnections).toBeLessThanOrEqual(MAX_IDLE_SOCKETS_PER_PANEL);
  });

  it("replaces a pooled connection the panel closed while it sat idle, within the same call", async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests++;
      const socket = req.socket as typeof req.socket & { served?: number };
      socket.served = (socket.served ?? 0) + 1;
      // The panel dropped the idle connection just as the second request arrived on it.
      if (socket.served > 1) return void socket.destroy();
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ success: true, msg: "", obj: [] }));
    });
    const client = createPanelClient({ baseUrl: url, apiToken: "secret", timeoutMs: 1000, generation: "g3" });
    expect(await client.listInbounds()).toEqual([]);
    expect(await client.listInbounds()).toEqual([]);
    expect(requests).toBe(3);
  });
});

describe("clients on every protocol", () => {
  it.each(["2.6.0", "3.6.0"])("v%s: adds, reads and deletes on vmess, trojan and shadowsocks inbounds", async (version) => {
    const panel = await sim(version);
    const client = createPanelClient(configFor(panel));
    const cases = [
      { inboundId: 2, client: { email: "t-vmess", id: "8a1f0c7e-0000-4000-8000-000000000002", security: "auto" } },
      { inboundId: 3, client: { email: "t-trojan", password: "trojan-secret" } },
      { inboundId: 4, client: { email: "t-ss", password: Buffer.alloc(32, 7).toString("base64") } },
    ];
    for (const c of cases) {
      await client.addClient(c.inboundId, c.client);
      expect(await client.getClient(c.inboundId, c.client.email)).toMatchObject(c.client);
      expect(await client.getClient(1, c.client.email)).toBeNull();
      await client.deleteClient(c.inboundId, c.client.email);
      expect(panel.state.clients(c.inboundId).map((x) => x.email)).not.toContain(c.client.email);
    }
  });

  it("v2 refuses to delete an inbound's last client, as protocol", async () => {
    const panel = await sim("2.8.11");
    const error = await failure(createPanelClient(configFor(panel)).deleteClient(1, "seed-vless"));
    expect(isPanelError(error, "protocol")).toBe(true);
    expect((error as Error).message).toMatch(/no client remained/);
  });

  it("reports online clients and their traffic", async () => {
    const panel = await sim("2.8.11");
    const client = createPanelClient(configFor(panel));
    panel.state.recordTraffic("seed-vless", 100, 2000);
    expect(await client.getOnlineClients()).toEqual(["seed-vless"]);
    expect(await client.getClientTraffic("seed-vless")).toMatchObject({ up: 100, down: 2000, inboundId: 1 });
  });

  it("creates a disabled client on v3.1+, whose add endpoint always enables", async () => {
    const panel = await sim("3.6.0");
    const client = createPanelClient(configFor(panel));
    await client.addClient(1, { email: "t-off", id: "8a1f0c7e-0000-4000-8000-00000000000f", enable: false });
    expect((await client.getClient(1, "t-off"))?.enable).toBe(false);
  });
});
