#!/usr/bin/env -S npx tsx
/**
 * A drop-in client for the Fleet bot API, for a Telegram bot written in TypeScript (Node 20+, no
 * dependencies). The same three calls as the Python VPNManager (examples/bot/fleet_client.py):
 *
 *   const manager = new VPNManager({ baseUrl, token: BOT_API_TOKEN, signingSecret: BOT_SIGNING_SECRET });
 *   const key = await manager.getOrCreateUserKey(telegramId, username); // the user's share link
 *   const fresh = await manager.refreshUserKey(telegramId);            // a new one; the old one stops
 *   const info = await manager.getUserNodeInfo(telegramId);            // node, key, subscription URL; null if unknown
 *
 * Webhooks: `startWebhookReceiver({ secret, port, onEvent: forwardKeyMoved(sendMessage) })` verifies
 * every request (HMAC-SHA256 over "<timestamp>.<raw body>", five minutes of tolerance, duplicates
 * dropped by X-Fleet-Delivery) and sends a moved user their new key.
 *
 * As a script: `npx tsx fleet-client.ts demo --base URL --token T [--signing-secret S] --telegram-id N [--username U]`
 * or `npx tsx fleet-client.ts webhook --port 8081 --secret S` (prints what it would send, one JSON per line).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";

/** Answers that mean "the same request will work later": the app says when, in Retry-After. */
const RETRYABLE = new Set(["IN_FLIGHT", "KEY_PENDING", "PANELS_UNAVAILABLE", "UNAVAILABLE"]);

export class FleetError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "FleetError";
  }
}

export type UserKey = {
  telegramId: number;
  key: string;
  subscriptionUrl: string;
  node: { id: string; name: string; location: string | null };
  username?: string | null;
  [field: string]: unknown;
};

export class VPNManager {
  private readonly baseUrl: string;
  constructor(private readonly options: { baseUrl: string; token: string; signingSecret?: string; timeoutMs?: number; attempts?: number }) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** The user's key (a share link): the existing one, or a new one on the best node. */
  async getOrCreateUserKey(telegramId: number, username?: string): Promise<string> {
    return (await this.call<UserKey>("POST", "/api/bot/keys", { telegramId, ...(username ? { username } : {}) })).key;
  }

  /** A new key for the user; the old one keeps working until the new one is active. */
  async refreshUserKey(telegramId: number): Promise<string> {
    return (await this.call<UserKey>("POST", "/api/bot/keys/refresh", { telegramId })).key;
  }

  /** The user's node, key and subscription URL, or null for a user the app does not know. */
  async getUserNodeInfo(telegramId: number): Promise<UserKey | null> {
    try {
      return await this.call<UserKey>("GET", `/api/bot/users/${Math.trunc(telegramId)}`);
    } catch (error) {
      if (error instanceof FleetError && error.status === 404) return null;
      throw error;
    }
  }

  async revokeUserKey(telegramId: number): Promise<{ revoked: boolean; removedFromPanel: boolean; disabledOnPanel: boolean }> {
    return this.call("DELETE", `/api/bot/keys/${Math.trunc(telegramId)}`);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const raw = body === undefined ? "" : JSON.stringify(body);
    const attempts = this.options.attempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.send<T>(method, path, raw);
      } catch (error) {
        if (!(error instanceof FleetError) || !RETRYABLE.has(error.code) || attempt >= attempts) throw error;
        await new Promise((r) => setTimeout(r, Math.min(error.retryAfterSeconds ?? 1, 10) * 1000));
      }
    }
  }

  private async send<T>(method: string, path: string, raw: string): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}`, accept: "application/json" };
    if (raw) headers["content-type"] = "application/json";
    if (this.options.signingSecret) {
      // A fresh nonce per attempt: the app refuses a nonce it has seen (replays).
      const timestamp = String(Math.floor(Date.now() / 1000));
      const nonce = randomBytes(16).toString("hex");
      headers["x-signature-timestamp"] = timestamp;
      headers["x-signature-nonce"] = nonce;
      headers["x-signature"] = createHmac("sha256", this.options.signingSecret).update(`${timestamp}.${nonce}.${method}.${path}.${raw}`).digest("hex");
    }
    const response = await fetch(this.baseUrl + path, { method, headers, body: raw || undefined, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    const text = await response.text();
    if (response.ok) return JSON.parse(text || "{}") as T;
    let answer: { code?: string; message?: string };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch {
      answer = { code: `HTTP_${response.status}`, message: text.slice(0, 200) };
    }
    const retryAfter = response.headers.get("retry-after");
    throw new FleetError(response.status, answer.code ?? "", answer.message ?? "", retryAfter ? Number(retryAfter) : null);
  }
}

/** Whether a webhook request is from the app: pass the raw body, before any JSON parsing. */
export function verifyWebhook(input: { secret: string; timestamp: string | undefined; body: Buffer | string; signature: string | undefined; toleranceSeconds?: number; now?: number }): boolean {
  const { timestamp, signature } = input;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs((input.now ?? Date.now()) / 1000 - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(`sha256=${createHmac("sha256", input.secret).update(`${timestamp}.`).update(input.body).digest("hex")}`);
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export type WebhookEvent = { id: number; event: string; createdAt: string; data: Record<string, unknown> };

/** An event handler that sends a user moved to another node their new key. */
export function forwardKeyMoved(sendMessage: (chatId: number, text: string) => Promise<void>): (event: WebhookEvent) => Promise<void> {
  return async (event) => {
    if (event.event !== "key.moved") return;
    const { telegramId, subscriptionUrl, key } = event.data as { telegramId: number; subscriptionUrl: string; key: string };
    await sendMessage(
      Number(telegramId),
      `Your VPN server changed. If your app uses the subscription link, it updates by itself: ${subscriptionUrl}\nOtherwise import your new key:\n${key}`,
    );
  };
}

const MAX_BODY = 1024 * 1024;

/** A small HTTP endpoint for the app's webhooks (put it behind your TLS proxy). */
export function startWebhookReceiver(options: { secret: string; port: number; host?: string; onEvent: (event: WebhookEvent) => Promise<void> }): Promise<Server> {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      void (async () => {
        if (req.method !== "POST") return res.writeHead(405).end();
        if (size > MAX_BODY) return res.writeHead(413).end();
        const body = Buffer.concat(chunks);
        const header = (name: string) => (typeof req.headers[name] === "string" ? (req.headers[name] as string) : undefined);
        if (!verifyWebhook({ secret: options.secret, timestamp: header("x-fleet-timestamp"), body, signature: header("x-fleet-signature") })) return res.writeHead(401).end();
        const delivery = header("x-fleet-delivery");
        const now = Date.now();
        for (const [id, at] of seen) if (now - at > 3_600_000) seen.delete(id);
        if (delivery && seen.has(delivery)) return res.writeHead(200).end(); // a retry of what was handled already
        let event: WebhookEvent;
        try {
          event = JSON.parse(body.toString("utf8")) as WebhookEvent;
        } catch {
          return res.writeHead(400).end();
        }
        await options.onEvent(event);
        if (delivery) seen.set(delivery, now);
        res.writeHead(200).end();
      })().catch(() => res.writeHead(500).end());
    });
  });
  return new Promise((resolve) => server.listen(options.port, options.host ?? "127.0.0.1", () => resolve(server)));
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({
    args: rest,
    options: {
      base: { type: "string" },
      token: { type: "string" },
      "signing-secret": { type: "string" },
      "telegram-id": { type: "string" },
      username: { type: "string" },
      port: { type: "string", default: "8081" },
      secret: { type: "string" },
    },
  });
  if (command === "demo" && values.base && values.token && values["telegram-id"]) {
    const manager = new VPNManager({ baseUrl: values.base, token: values.token, signingSecret: values["signing-secret"] });
    const telegramId = Number(values["telegram-id"]);
    const key = await manager.getOrCreateUserKey(telegramId, values.username);
    const again = await manager.getOrCreateUserKey(telegramId, values.username);
    const info = await manager.getUserNodeInfo(telegramId);
    const refreshed = await manager.refreshUserKey(telegramId);
    const unknown = await manager.getUserNodeInfo(1);
    console.log(JSON.stringify({ key, again, info, refreshed, unknown }));
    return;
  }
  if (command === "webhook" && values.secret) {
    const server = await startWebhookReceiver({
      secret: values.secret,
      port: Number(values.port),
      onEvent: forwardKeyMoved(async (chatId, text) => void console.log(JSON.stringify({ chat_id: chatId, text }))),
    });
    console.log(`listening ${(server.address() as AddressInfo).port}`);
    return;
  }
  console.error("usage: fleet-client.ts demo --base URL --token T [--signing-secret S] --telegram-id N [--username U] | webhook --port P --secret S");
  process.exitCode = 2;
}

// Run as a script, not when imported by a bot.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
