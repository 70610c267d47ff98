// One HTTP exchange with a panel over node:http/https. It never follows
// redirects, enforces one deadline for the whole exchange, caps the body size
// and applies the node's TLS policy (verify, skip, or SPKI SHA-256 pin).
// Failures come back as PanelError; HTTP statuses are returned, not judged.
// A failure after the request was handed to the network is marked
// mayHaveApplied: the panel may have acted on it.
//
// Requests that are safe to repeat travel over the panel's keep-alive agent
// (createPanelAgent): one small pool of sockets per panel, so a health check's
// five or six calls share one connection. The address and pin checks run on
// every new socket before anything is written to it, and pooled sockets that
// the panel closed while they sat idle are replaced within the same deadline.
// Mutations always get a fresh connection: on a pooled one a dead panel shows up
// as a reset after sending — an unknown outcome — where a new connection is
// simply refused, a known failure that lets the caller try another node.

import { createHash, X509Certificate } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

import { PanelError, type PanelTlsOptions } from "./types";

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Idle sockets a panel's agent keeps; more are closed as soon as they go idle. */
export const MAX_IDLE_SOCKETS_PER_PANEL = 2;
/**
 * An idle socket is closed after this long (sooner when the panel announces a shorter keep-alive):
 * long enough for the calls of one check or one move, short enough that 1,000 panels do not hold
 * 2,000 sockets between sweeps.
 */
export const IDLE_SOCKET_MS = 4_000;

export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  tls?: PanelTlsOptions;
  allowAddress?: (address: string) => boolean;
  /** The panel's keep-alive agent, for a request that is safe to repeat; none opens a connection of its own. */
  agent?: http.Agent;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sockets that passed the address and pin checks when they connected. */
const checkedSockets = new WeakSet<Socket>();

/** Errors of a pooled socket the panel closed while it sat idle: the request never reached it. */
const STALE_SOCKET_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED"]);

/** Accepts base64, base64url or hex (with or without colons); returns lowercase hex. */
export function normalizeSpkiPin(pin: string): string {
  const trimmed = pin.trim();
  const hex = trimmed.replaceAll(":", "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return hex.toLowerCase();
  const bytes = Buffer.from(trimmed.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  if (bytes.length !== 32) throw new PanelError("protocol", "tls.spkiSha256 is not a SHA-256 digest");
  return bytes.toString("hex");
}

export function spkiSha256Hex(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

/** The keep-alive agent of one panel: its TLS mode is fixed here, so sockets never mix policies. */
export function createPanelAgent(root: URL, tls?: PanelTlsOptions): http.Agent {
  const options: http.AgentOptions = { keepAlive: true, maxFreeSockets: MAX_IDLE_SOCKETS_PER_PANEL, timeout: IDLE_SOCKET_MS, scheduling: "lifo" };
  if (root.protocol !== "https:") return new http.Agent(options);
  return new https.Agent({ ...options, rejectUnauthorized: (tls?.mode ?? "verify") === "verify" });
}

export function sendHttp(request: HttpRequest): Promise<HttpResponse> {
  const isHttps = request.url.protocol === "https:";
  const mode = request.tls?.mode ?? "verify";
  const pin = mode === "pin" ? normalizeSpkiPin(request.tls?.spkiSha256 ?? "") : null;
  const headers: Record<string, string> = { ...request.headers, ...(request.agent ? {} : { Connection: "close" }) };
  if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));
  const hasSocketChecks = Boolean(request.allowAddress) || (pin !== null && isHttps);

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    // Set once the whole request has been flushed to the socket: from then on the panel may act on it.
    let isSent = false;
    let req: http.ClientRequest;
    const fail = (error: PanelError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () => fail(new PanelError("timeout", `no answer within ${request.timeoutMs} ms`, undefined, { mayHaveApplied: isSent })),
      request.timeoutMs,
    );

    /** Nothing (not even the cookie or password) is written before the peer's address is allowed and, when pinned, its key matches. */
    const checkSocket = (socket: Socket): PanelError | null => {
      const address = socket.remoteAddress ?? "";
      if (request.allowAddress && !request.allowAddress(address)) {
        return new PanelError("unreachable", `panel address ${address} is not allowed`, undefined, { transport: { code: "ADDRESS_NOT_ALLOWED", peer: address } });
      }
      if (pin && isHttps) {
        const cert = (socket as TLSSocket).getPeerCertificate();
        if (!cert.raw || spkiSha256Hex(cert.raw) !== pin) {
          return new PanelError("unreachable", "TLS public key does not match the pinned SPKI SHA-256", undefined, { transport: { code: "PIN_MISMATCH" } });
        }
      }
      checkedSockets.add(socket);
      return null;
    };

    const send = () => {
      let hasResponse = false;
      const options: https.RequestOptions = {
        method: request.method,
        headers,
        agent: request.agent ?? false,
        ...(isHttps ? { rejectUnauthorized: mode === "verify" } : {}),
      };
      req = (isHttps ? https : http).request(request.url, options, (res) => {
        hasResponse = true;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) {
            fail(new PanelError("protocol", `response exceeds ${request.maxResponseBytes} bytes`, res.statusCode, { mayHaveApplied: true }));
            return;
          }
          chunks.push(chunk);
        });
        res.on("end", () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", (error) => fail(transportError(error, true)));
      });
      const current = req;
      current.on("finish", () => {
        isSent = true;
      });
      current.on("error", (error) => {
        if (settled || current !== req) return;
        const code = (error as NodeJS.ErrnoException).code ?? "";
        // Each pooled socket fails at most once and leaves the pool, so this ends within the pool's size.
        if (current.reusedSocket && !hasResponse && STALE_SOCKET_CODES.has(code)) {
          isSent = false;
          send();
          return;
        }
        fail(transportError(error, isSent));
      });
      if (!hasSocketChecks) {
        current.end(request.body);
        return;
      }
      current.on("socket", (socket) => {
        if (checkedSockets.has(socket)) {
          current.end(request.body);
          return;
        }
        const onConnected = () => {
          const refused = checkSocket(socket);
          if (refused) fail(refused);
          else current.end(request.body);
        };
        // A pooled socket connected long ago; a new one is still connecting.
        if (current.reusedSocket) onConnected();
        else socket.once(isHttps ? "secureConnect" : "connect", onConnected);
      });
    };
    send();
  });
}

function transportError(error: Error, isSent: boolean): PanelError {
  const code = (error as NodeJS.ErrnoException).code ?? "";
  return new PanelError("unreachable", code ? `${code}: ${error.message}` : error.message, undefined, {
    cause: error,
    mayHaveApplied: isSent,
    ...(code ? { transport: { code } } : {}),
  });
}
