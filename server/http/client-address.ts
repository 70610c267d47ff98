/**
 * The caller's address, for per-address limits and the audit trail. Route handlers cannot see the
 * socket, so the production server (scripts/lib/next-server.ts) stamps every request with the
 * address of the peer that opened the connection in PEER_ADDRESS_HEADER, overwriting anything a
 * client sent under that name. Behind reverse proxies that peer is the proxy: with TRUST_PROXY set
 * to the number of proxies, the address the outermost one saw is read from X-Forwarded-For (each
 * proxy appends the address it received from, so the entries a client wrote come first and are
 * skipped). X-Forwarded-For is never read otherwise: a client can write anything there.
 */
export const PEER_ADDRESS_HEADER = "x-fleet-peer-address";

export function clientAddressFrom(headers: Headers, trustProxyHops: number): string {
  if (trustProxyHops > 0) {
    const hops = (headers.get("x-forwarded-for") ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    const seen = hops[hops.length - trustProxyHops];
    if (seen) return seen;
  }
  return headers.get(PEER_ADDRESS_HEADER)?.trim() || "unknown";
}
