/**
 * The caller's address for login throttling. Behind a reverse proxy set X-Forwarded-For there;
 * the first entry is the client. Without one, the per-account lockout still applies.
 */
export function clientIpFrom(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
