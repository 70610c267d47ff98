/**
 * SSRF guard for admin-entered panel URLs (reliability.md §3.4): the server sends panel
 * credentials to whatever host the URL names, so a URL whose host resolves to loopback, private,
 * link-local, CGNAT, unspecified, multicast or reserved space is refused unless the operator set
 * ALLOW_PRIVATE_PANELS=true. Checked on the resolved names at create, update and test-connection
 * (so the admin gets a clear message), and on every connection's actual peer address before a
 * byte is sent (panel-for-node.ts → the panel client's `allowAddress`), which closes the
 * DNS-rebinding window: a name that resolves elsewhere at connect time is still refused.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Resolves a host name to every address it has (A and AAAA). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export type PanelAddressPolicy = { allowPrivate: boolean; resolve: HostResolver };

export const dnsResolver: HostResolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network", incl. the unspecified address
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. cloud metadata 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, incl. broadcast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // deprecated site-local
  ["ff00::", 8], // multicast
  ["2001:db8::", 32], // documentation
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

const V4_MAPPED = /^::ffff:(?:0{1,4}:)?(\d{1,3}(?:\.\d{1,3}){3})$/i;
const V4_MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d or ::ffff:xxxx:xxxx). */
function embeddedIpv4(address: string): string | null {
  const dotted = V4_MAPPED.exec(address);
  if (dotted) return dotted[1]!;
  const hex = V4_MAPPED_HEX.exec(address);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/** True when the address may be a panel: a unicast address on the public internet. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 4) return !FORBIDDEN.check(bare, "ipv4");
  const mapped = embeddedIpv4(bare);
  if (mapped) return isIP(mapped) === 4 && !FORBIDDEN.check(mapped, "ipv4");
  return !FORBIDDEN.check(bare, "ipv6");
}

/**
 * Why this panel URL may not be used, or null when it may. Every resolved address must be public:
 * one private answer among public ones is enough to be steered inside.
 */
export async function findPanelAddressProblem(url: string, policy: PanelAddressPolicy): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not a valid URL";
  }
  if (policy.allowPrivate) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (isIP(host)) {
    addresses = [host];
  } else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      return `host ${host} does not resolve`;
    }
    if (addresses.length === 0) return `host ${host} does not resolve`;
  }
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused === undefined) return null;
  return `${host === refused ? "is" : `resolves to ${refused},`} a loopback, private, link-local or reserved address; panels must be on public addresses unless ALLOW_PRIVATE_PANELS=true`;
}
