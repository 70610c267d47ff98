// One HTTP exchange with a panel over node:http/https. It never follows
// redirects, enforces one deadline for the whole exchange, caps the body size
// and applies the node's TLS policy (verify, skip, or SPKI SHA-256 pin).
// Failures come back as PanelError; HTTP statuses are returned, not judged.
// A failure after the request was handed to the network is marked
// mayHaveApplied: the panel may have acted on it.

import { createHash, X509Certificate } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";

import { PanelError, type PanelTlsOptions } from "./types";

export const DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxResponseBytes: number;
  tls?: PanelTlsOptions;
  allowAddress?: (address: string) => boolean;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

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

export function sendHttp(request: HttpRequest): Promise<HttpResponse> {
  const isHttps = request.url.protocol === "https:";
  const mode = request.tls?.mode ?? "verify";
  const pin = mode === "pin" ? normalizeSpkiPin(request.tls?.spkiSha256 ?? "") : null;
  const headers: Record<string, string> = { ...request.headers, Connection: "close" };
  if (request.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(request.body));

  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    // Set once the whole request has been flushed to the socket: from then on the panel may act on it.
    let isSent = false;
    const fail = (error: PanelError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    const options: https.RequestOptions = {
      method: request.method,
      headers,
      agent: false,
      ...(isHttps ? { rejectUnauthorized: mode === "verify" } : {}),
    };
    const req = (isHttps ? https : http).request(request.url, options, (res) => {
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
    const timer = setTimeout(
      () => fail(new PanelError("timeout", `no answer within ${request.timeoutMs} ms`, undefined, { mayHaveApplied: isSent })),
      request.timeoutMs,
    );
    req.on("finish", () => {
      isSent = true;
    });
    req.on("error", (error) => fail(transportError(error, isSent)));
    if (!request.allowAddress && (!pin || !isHttps)) {
      req.end(request.body);
      return;
    }
    // Nothing (not even the cookie or password) is written before the peer's address is allowed
    // and, when pinned, its key matches.
    req.on("socket", (socket) => {
      socket.once(isHttps ? "secureConnect" : "connect", () => {
        const address = socket.remoteAddress ?? "";
        if (request.allowAddress && !request.allowAddress(address)) {
          fail(new PanelError("unreachable", `panel address ${address} is not allowed`, undefined, { transport: { code: "ADDRESS_NOT_ALLOWED", peer: address } }));
          return;
        }
        if (pin && isHttps) {
          const cert = (socket as TLSSocket).getPeerCertificate();
          if (!cert.raw || spkiSha256Hex(cert.raw) !== pin) {
            fail(new PanelError("unreachable", "TLS public key does not match the pinned SPKI SHA-256", undefined, { transport: { code: "PIN_MISMATCH" } }));
            return;
          }
        }
        req.end(request.body);
      });
    });
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
