/**
 * Authentication of the Telegram bot's calls (DESIGN.md callers table; reliability note §3.3).
 *
 * 1. `Authorization: Bearer $BOT_API_TOKEN`, compared in constant time (the route wrapper checks it
 *    from the headers before reading the body, so an unauthenticated caller cannot make us read one).
 * 2. When BOT_SIGNING_SECRET is set, also a signature, because the answer carries a secret (the
 *    VPN key) and a replayed request would leak it:
 *      X-Signature-Timestamp: unix seconds, within ±300 s of our clock
 *      X-Signature-Nonce:     16–128 characters [A-Za-z0-9_-], never reused
 *      X-Signature:           hex HMAC-SHA256(secret, `${timestamp}.${nonce}.${METHOD}.${path}.${rawBody}`)
 *    Method and path are signed too, so a signature for one route cannot be replayed on another.
 *    A nonce is stored only after the signature checks out, so forged requests cannot fill the table.
 */
import { createHmac } from "node:crypto";
import type { Database } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { recordBotNonce, REPLAY_WINDOW_SECONDS } from "@/server/services/bot-nonces/bot-nonces";
import type { Clock } from "@/server/services/clock";
import { isSameSecret } from "./bearer";
export const SIGNATURE_HEADERS = { timestamp: "x-signature-timestamp", nonce: "x-signature-nonce", signature: "x-signature" } as const;

const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const TIMESTAMP = /^\d{1,12}$/;
const HEX_SIGNATURE = /^[0-9a-fA-F]{64}$/;

export type BotAuthConfig = { token: string | undefined; signingSecret: string | undefined };

export function signBotRequest(secret: string, parts: { timestamp: string; nonce: string; method: string; path: string; body: string }): string {
  return createHmac("sha256", secret)
    .update(`${parts.timestamp}.${parts.nonce}.${parts.method.toUpperCase()}.${parts.path}.${parts.body}`)
    .digest("hex");
}

const refused = (why: string) => new AppError("UNAUTHORIZED", why);

/** Step 2 above, once the bearer token was accepted and the (capped) body read. */
export async function verifyBotSignature(
  deps: { db: Database; clock: Clock },
  config: BotAuthConfig,
  request: Request,
  rawBody: string,
): Promise<void> {
  if (!config.signingSecret) return;

  const timestamp = request.headers.get(SIGNATURE_HEADERS.timestamp) ?? "";
  const nonce = request.headers.get(SIGNATURE_HEADERS.nonce) ?? "";
  const signature = request.headers.get(SIGNATURE_HEADERS.signature) ?? "";
  if (!TIMESTAMP.test(timestamp) || !NONCE.test(nonce) || !HEX_SIGNATURE.test(signature)) {
    throw refused("Sign the request: X-Signature-Timestamp, X-Signature-Nonce and X-Signature are required.");
  }
  if (Math.abs(deps.clock.now().getTime() / 1000 - Number(timestamp)) > REPLAY_WINDOW_SECONDS) {
    throw refused("The signature timestamp is outside the allowed window.");
  }
  const expected = signBotRequest(config.signingSecret, { timestamp, nonce, method: request.method, path: new URL(request.url).pathname, body: rawBody });
  if (!isSameSecret(signature.toLowerCase(), expected)) throw refused("The signature does not match.");

  if (!(await recordBotNonce(deps.db, nonce))) throw refused("This request was already received.");
}
