// The bare add-client exchange against a simulated panel: one POST with a
// session made once, no detection, no read-back, no parsing beyond success.
// Benchmarks compare createPanelClient().addClient against it to show what
// the client itself costs. Same transport as the client (new connection per call).

import http from "node:http";

import type { SimulatedPanel } from "./server";

interface RawSession {
  cookie: string;
  csrf: string | null;
}

const sessions = new WeakMap<SimulatedPanel, Promise<RawSession>>();

export async function rawAddClientRoundTrip(panel: SimulatedPanel, client: { email: string; id: string }): Promise<void> {
  let session = sessions.get(panel);
  if (!session) {
    session = signIn(panel);
    sessions.set(panel, session);
  }
  const { cookie, csrf } = await session;
  const entry = { ...client, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId: 0, subId: "", comment: "", reset: 0 };
  const body =
    panel.generation === "g4"
      ? { client: entry, inboundIds: [panel.inboundId] }
      : { id: panel.inboundId, settings: JSON.stringify({ clients: [entry] }) };
  const path = panel.generation === "g4" ? "panel/api/clients/add" : "panel/api/inbounds/addClient";
  const answer = await post(new URL(path, panel.url), body, { Cookie: cookie, ...(csrf ? { "X-CSRF-Token": csrf } : {}) });
  if (!(JSON.parse(answer.body) as { success: boolean }).success) throw new Error(`raw add failed: ${answer.body}`);
}

async function signIn(panel: SimulatedPanel): Promise<RawSession> {
  let csrf: string | null = null;
  let cookie = "";
  if (panel.generation === "g4" || /^3\./.test(panel.version)) {
    const answer = await request("GET", new URL("csrf-token", panel.url), undefined, {});
    csrf = (JSON.parse(answer.body) as { obj: string }).obj;
    cookie = firstCookie(answer.headers);
  }
  const login = await post(new URL("login", panel.url), { username: panel.username, password: panel.password }, {
    Cookie: cookie,
    ...(csrf ? { "X-CSRF-Token": csrf } : {}),
  });
  return { cookie: firstCookie(login.headers), csrf };
}

function firstCookie(headers: http.IncomingHttpHeaders): string {
  return (headers["set-cookie"]?.[0] ?? "").split(";")[0] ?? "";
}

function post(url: URL, body: unknown, headers: Record<string, string>) {
  return request("POST", url, JSON.stringify(body), { ...headers, "Content-Type": "application/json" });
}

function request(method: string, url: URL, body: string | undefined, headers: Record<string, string>) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { ...headers, "X-Requested-With": "XMLHttpRequest" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}
