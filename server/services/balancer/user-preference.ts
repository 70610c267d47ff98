/**
 * What a move must honour for one user: the location they asked for (strictly, if they said so)
 * and the scheme of the key they hold. Every move — failover, drain, rebalance, the admin's with the
 * balancer choosing — and its plan ("what if this node dies", the rebalance plan) ranks through it.
 */
import type { Assignment, VpnUser } from "@/server/db/schema";
import type { PlacementPreference } from "./score-nodes";

const SCHEMES: Record<string, string> = { vless: "vless", vmess: "vmess", trojan: "trojan", ss: "shadowsocks" };

/** The protocol of a share link by its scheme (vless://, vmess://, trojan://, ss://); null when unknown. */
export function keyProtocol(shareLink: string | null | undefined): string | null {
  const scheme = /^([a-z]+):\/\//i.exec(shareLink ?? "")?.[1]?.toLowerCase();
  return (scheme && SCHEMES[scheme]) || null;
}

export function movePreference(
  user: Pick<VpnUser, "preferredLocation" | "isStrictLocation">,
  key: Pick<Assignment, "shareLink" | "placementReason"> | null,
): PlacementPreference {
  // Keys placed before the preference was stored keep the location their placement recorded.
  const location = user.preferredLocation ?? key?.placementReason?.location ?? null;
  return { location, strictLocation: user.preferredLocation !== null && user.isStrictLocation, protocol: keyProtocol(key?.shareLink) };
}
