/**
 * What every structured profile (Clash, sing-box, Xray JSON) is built from: the subscription's
 * links read back into endpoints, in order (the user's primary first), each with a name unique in
 * the profile, since Clash and sing-box reject a profile with two proxies of one name.
 */
import { logger } from "@/server/logger";
import { parseShareLink, type ShareEndpoint } from "@/server/x3ui/parse-share-link";
import type { ProfileFormat } from "./profile-format";

export type ProfileEndpoint = ShareEndpoint & { name: string };

/** How apps test a group's members: the URL fetched through each, and how often. */
export type ProbeSettings = { url: string; intervalSeconds: number };

export type ProfileContext = { title: string; probe: ProbeSettings };

export type RenderedProfile = { contentType: string; body: string };

/** A format that cannot carry any of the user's endpoints (sing-box has no xhttp, …); `reasons` say why, per link. */
export class UnsupportedProfileError extends Error {
  override name = "UnsupportedProfileError";
  constructor(
    readonly format: ProfileFormat,
    readonly reasons: string[],
  ) {
    super(`${format}: ${reasons.join("; ")}`);
  }
}

export function profileEndpoints(links: readonly string[]): ProfileEndpoint[] {
  const taken = new Set<string>();
  const endpoints: ProfileEndpoint[] = [];
  for (const link of links) {
    let endpoint: ShareEndpoint;
    try {
      endpoint = parseShareLink(link);
    } catch (error) {
      logger.warn("a stored share link could not be read for a profile", { error });
      continue;
    }
    const base = endpoint.remark.trim() || `${endpoint.protocol}-${endpoint.host}-${endpoint.port}`;
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base} ${n}`;
    taken.add(name);
    endpoints.push({ ...endpoint, name });
  }
  return endpoints;
}

/**
 * Each endpoint converted by `convert` (a string return is why it cannot be); the converted ones in
 * order, or UnsupportedProfileError when there were endpoints and none converts. No endpoints at
 * all is a user without a key: the profile is empty and lets nothing through.
 */
export function convertEndpoints<T>(format: ProfileFormat, endpoints: readonly ProfileEndpoint[], convert: (endpoint: ProfileEndpoint) => T | string): { endpoint: ProfileEndpoint; value: T }[] {
  const converted: { endpoint: ProfileEndpoint; value: T }[] = [];
  const reasons: string[] = [];
  for (const endpoint of endpoints) {
    const value = convert(endpoint);
    if (typeof value === "string") reasons.push(`${endpoint.name}: ${value}`);
    else converted.push({ endpoint, value });
  }
  if (converted.length === 0 && reasons.length > 0) throw new UnsupportedProfileError(format, reasons);
  return converted;
}
