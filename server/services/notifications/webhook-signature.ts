/**
 * Webhook signatures: HMAC-SHA256 over `${timestamp}.${body}` with WEBHOOK_SECRET, sent as
 * `X-Fleet-Signature: sha256=<hex>` beside `X-Fleet-Timestamp: <unix seconds>`. The timestamp is
 * inside the MAC, so a receiver that refuses old timestamps refuses replays of captured requests.
 * `verifyWebhookSignature` is the receiver's half, for bot authors (and our tests).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "X-Fleet-Signature";
export const TIMESTAMP_HEADER = "X-Fleet-Timestamp";
export const EVENT_HEADER = "X-Fleet-Event";
export const DELIVERY_HEADER = "X-Fleet-Delivery";

/** Stripe's and Svix's default: a signed request older (or newer) than five minutes is refused. */
const DEFAULT_TOLERANCE_SECONDS = 300;

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type VerifyInput = {
  secret: string;
  /** The raw request body exactly as received, before any JSON parsing. */
  body: string;
  /** Value of X-Fleet-Timestamp. */
  timestamp: string | null | undefined;
  /** Value of X-Fleet-Signature. */
  signature: string | null | undefined;
  toleranceSeconds?: number;
  now?: Date;
};

export function verifyWebhookSignature(input: VerifyInput): boolean {
  if (!input.timestamp || !input.signature || !/^\d{1,12}$/.test(input.timestamp)) return false;
  const timestamp = Number(input.timestamp);
  const nowSeconds = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(signWebhook(input.secret, timestamp, input.body));
  const given = Buffer.from(input.signature);
  // timingSafeEqual throws on unequal lengths; the length of a well-formed signature is public anyway.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
