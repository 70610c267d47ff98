/**
 * A fault-injecting HTTP proxy for tests: put it in front of a (simulated) panel and point the
 * node at `proxy.url`. Each request is matched against the rules in order; the first rule that
 * matches and has uses left decides what happens. Faults either stop the request before the panel
 * sees it (nothing applied) or let the panel apply it and then spoil the answer — the cases where
 * the outcome of a write is unknown to the caller (invariant 8).
 *
 * Every request is logged (`proxy.log`) with the fault it got, so tests can count calls (logins,
 * adds, read-backs) without instrumenting the code under test.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault =
  /** Accept and never answer; the panel never sees the request. */
  | { kind: "hang" }
  /** Reset the connection before the panel sees the request. */
  | { kind: "reset" }
  /** Answer 500 without forwarding. */
  | { kind: "http500" }
  /** Forward and answer after `ms`: a slow panel (the write lands before the answer). */
  | { kind: "slow"; ms: number }
  /** The panel applies the request, then the connection is reset instead of the answer. */
  | { kind: "reset-after" }
  /** The panel applies the request, then the answer is a 500. */
  | { kind: "http500-after" }
  /** The panel applies the request, then the answer is an HTTP 200 whose body is not JSON. */
  | { kind: "garble-after" }
  /** The panel applies the request, this answer never comes, and every later request hangs too. */
  | { kind: "land-then-hang" };

export type FaultRule = {
  /** Requests it applies to; omitted fields match anything. `path` is tested against the URL path and query. */
  method?: "GET" | "POST";
  path?: RegExp;
  fault: Fault;
  /** How many matching requests it spoils; unlimited when omitted. */
  times?: number;
};

export type ProxiedRequest = { method: string; path: string; fault: Fault["kind"] | null };

export type FaultProxy = {
  /** The target's URL with the proxy's host and port (the base path is kept). */
  url: string;
  readonly log: ProxiedRequest[];
  /** Replaces the rules; requests already waiting keep the fault they got. */
  setRules(rules: FaultRule[]): void;
  /** Stops hanging after a `land-then-hang`, and clears the rules. */
  heal(): void;
  close(): Promise<void>;
};

const GARBLED_BODY = '{"success":true,"msg":"Inbound client(s) have been ad';

export async function startFaultProxy(targetUrl: string, rules: FaultRule[] = []): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const log: ProxiedRequest[] = [];
  let active: { rule: FaultRule; left: number }[] = [];
  let isHangingAll = false;

  const setRules = (next: FaultRule[]) => {
    active = next.map((rule) => ({ rule, left: rule.times ?? Number.POSITIVE_INFINITY }));
  };
  setRules(rules);

  const pick = (method: string, path: string): Fault | null => {
    if (isHangingAll) return { kind: "hang" };
    const entry = active.find(({ rule, left }) => left > 0 && (!rule.method || rule.method === method) && (!rule.path || rule.path.test(path)));
    if (!entry) return null;
    entry.left--;
    return entry.rule.fault;
  };

  const forward = (req: http.IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer } | null>((resolve) => {
      const upstream = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", () => resolve(null));
        },
      );
      upstream.on("error", () => resolve(null));
      upstream.end(body);
    });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const method = req.method ?? "GET";
        const path = req.url ?? "/";
        const fault = pick(method, path);
        log.push({ method, path, fault: fault?.kind ?? null });
        if (fault?.kind === "hang") return;
        if (fault?.kind === "reset") return req.socket.resetAndDestroy();
        if (fault?.kind === "http500") return void res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error");
        const answer = await forward(req, Buffer.concat(chunks));
        if (!answer) return req.socket.resetAndDestroy();
        switch (fault?.kind) {
          case "reset-after":
            return req.socket.resetAndDestroy();
          case "http500-after":
            return void res.writeHead(500, { "Content-Type": "text/plain" }).end("Internal Server Error");
          case "garble-after":
            return void res.writeHead(200, { "Content-Type": "application/json; charset=utf-8" }).end(GARBLED_BODY);
          case "land-then-hang":
            isHangingAll = true;
            return;
          case "slow":
            await new Promise((r) => setTimeout(r, fault.ms));
        }
        if (res.destroyed) return;
        const headers = { ...answer.headers };
        delete headers["transfer-encoding"];
        res.writeHead(answer.status, headers).end(answer.body);
      })();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: url.toString(),
    log,
    setRules,
    heal: () => {
      isHangingAll = false;
      setRules([]);
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
