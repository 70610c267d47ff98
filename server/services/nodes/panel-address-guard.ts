/**
 * SSRF guard for admin-entered panel URLs (reliability.md §3.4): the server sends panel
 * credentials to whatever host the URL names, so a URL whose host resolves to loopback, private,
 * link-local, CGNAT, unspecified, multicast or reserved space — directly or through an IPv6 form that
 * carries an IPv4 address (mapped, translated, compatible, NAT64, 6to4) — is refused unless the operator set
 * ALLOW_PRIVATE_PANELS=true. Checked on the resolved names at create, update and test-connection
 * (so the admin gets a clear message), and on every connection's actual peer address before a
 * byte is sent (panel-for-node.ts → the panel client's `allowAddress`), which closes the
 * DNS-rebinding window: a name that resolves elsewhere at connect time is still refused.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";

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
  ["2001::", 32], // Teredo: the real IPv4 peer is hidden (obfuscated) inside
  ["64:ff9b:1::", 48], // local-use NAT64 (RFC 8215): translates into the operator's own network
] as const) {
  FORBIDDEN.addSubnet(network, prefix, "ipv6");
}

/** The 16 bytes of an IPv6 address in any spelling (`::` anywhere, a dotted IPv4 tail), or null. */
function ipv6Bytes(address: string): number[] | null {
  const halves = address.toLowerCase().split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        if (isIP(piece) !== 4) return null;
        const [a, b, c, d] = piece.split(".").map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else if (/^[0-9a-f]{1,4}$/.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 255]);
}

const startsWith = (bytes: number[], prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
const dotted = (bytes: number[]) => bytes.join(".");

/**
 * The IPv4 address an IPv6 address stands for, when it carries one that decides where packets go:
 * IPv4-mapped ::ffff:0:0/96 and IPv4-translated ::ffff:0:0:0/96 (in any spelling, hex or dotted),
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 6to4 2002::/16. A gateway on the path turns each of
 * these into a connection to that IPv4 address, so it must pass the IPv4 rules.
 */
function embeddedIpv4(bytes: number[]): string | null {
  const zeros = (n: number) => new Array<number>(n).fill(0);
  if (startsWith(bytes, [...zeros(10), 0xff, 0xff])) return dotted(bytes.slice(12));
  if (startsWith(bytes, [...zeros(8), 0xff, 0xff, 0, 0])) return dotted(bytes.slice(12));
  if (startsWith(bytes, zeros(12))) return dotted(bytes.slice(12));
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, ...zeros(8)])) return dotted(bytes.slice(12));
  if (startsWith(bytes, [0x20, 0x02])) return dotted(bytes.slice(2, 6));
  return null;
}

/** True when the address may be a panel: a unicast address on the public internet. */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 4) return !FORBIDDEN.check(bare, "ipv4");
  const bytes = ipv6Bytes(bare);
  if (!bytes) return false;
  const mapped = embeddedIpv4(bytes);
  if (mapped) return !FORBIDDEN.check(mapped, "ipv4");
  return !FORBIDDEN.check(bare, "ipv6");
}

/**
 * Why this panel URL may not be used, as a sentence for the person who typed it, or null when it
 * may. Every resolved address must be public: one private answer among public ones is enough to be
 * steered inside.
 */
export async function findPanelAddressProblem(url: string, policy: PanelAddressPolicy): Promise<MessageRef | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return ref("panelAddress.invalid");
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
      return ref("panelAddress.unresolvable", { host });
    }
    if (addresses.length === 0) return ref("panelAddress.unresolvable", { host });
  }
  const refused = addresses.find((a) => !isPublicAddress(a));
  if (refused === undefined) return null;
  return host === refused ? ref("panelAddress.private", { host }) : ref("panelAddress.resolvesPrivate", { host, address: refused });
}
