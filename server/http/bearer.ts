/**
 * Bearer-token checks for machine callers (cron, bot). Both sides are hashed with SHA-256 before
 * timingSafeEqual, so the comparison takes the same time whatever the guess and whatever its
 * length (timingSafeEqual alone throws on unequal lengths, which would leak the length).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "@/server/errors";

function digest(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

export function isSameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(request: Request): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "");
  return match?.[1] ?? null;
}

/**
 * Throws UNAVAILABLE when the secret is not configured (the route is switched off rather than
 * open) and UNAUTHORIZED when the header is missing or wrong.
 */
export function requireBearer(request: Request, secret: string | undefined, secretName: string): void {
  if (!secret) throw new AppError("UNAVAILABLE", `This route is disabled until ${secretName} is set.`);
  const token = bearerToken(request);
  if (token === null || !isSameSecret(token, secret)) {
    throw new AppError("UNAUTHORIZED", `Send Authorization: Bearer <${secretName}>.`);
  }
}
