/**
 * Links for the profile tests, made by the product's own link builder from the panel-verified
 * inbounds of share-link.fixtures.ts: one per fixture, and a primary with a standby on another node.
 */
import { buildShareLink } from "@/server/x3ui/share-link";
import { SHARE_CLIENT, SHARE_FIXTURES } from "@/server/x3ui/share-link.fixtures";
import type { ProfileContext } from "../profile-endpoints";

export const PROFILE_CONTEXT: ProfileContext = { title: "Fleet VPN", probe: { url: "https://www.gstatic.com/generate_204", intervalSeconds: 10 } };

export function fixtureLink(name: string, host: string, remark: string): string {
  const fixture = SHARE_FIXTURES.find((f) => f.name === name);
  if (!fixture) throw new Error(`no share fixture ${name}`);
  return buildShareLink({ inbound: fixture.inbound, client: { ...SHARE_CLIENT, security: fixture.inbound.protocol === "vmess" ? SHARE_CLIENT.security : "" }, host, remark });
}

export const FIXTURE_NAMES = SHARE_FIXTURES.map((f) => f.name);

/** A user on a REALITY node in Frankfurt with a standby behind a CDN in Amsterdam. */
export const PRIMARY_LINK = fixtureLink("vless tcp reality vision", "de1.example.com", "Frankfurt · de-1");
export const STANDBY_LINK = fixtureLink("vless ws tls", "nl1.example.com", "Amsterdam · nl-1");
