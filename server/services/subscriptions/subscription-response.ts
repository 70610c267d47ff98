/**
 * The HTTP shape VPN client apps expect from a subscription URL. The body is the profile in the
 * format the app reads (formats/profile-format.ts): the links joined by newlines in standard base64
 * as 3X-UI's own subscription server answers, or a Clash, sing-box or Xray profile built from the
 * same links. Every format carries the headers apps read: `Subscription-Userinfo` (bytes, expiry in
 * unix seconds, 0 = unlimited/never), `Profile-Update-Interval` in hours, `Profile-Title` as
 * `base64:…` so any title survives header encoding, `Content-Disposition` (the profile's name in
 * Clash apps), and `Profile-Web-Page-Url` / `Support-Url` when configured.
 */
import type { Subscription, Userinfo } from "./get-subscription";
import { clashProfile } from "./formats/clash-profile";
import { profileEndpoints, UnsupportedProfileError, type ProbeSettings, type ProfileContext, type ProfileEndpoint, type RenderedProfile } from "./formats/profile-endpoints";
import type { ProfileFormat } from "./formats/profile-format";
import { singBoxProfile } from "./formats/sing-box-profile";
import { xrayProfile } from "./formats/xray-profile";

export type SubscriptionSettings = {
  title: string;
  updateHours: number;
  /** Where the app's "web page" / "support" buttons lead; headers left out when unset. */
  webPageUrl?: string;
  supportUrl?: string;
  probe: ProbeSettings;
};

/** Unavailable answers ask apps to retry after this many seconds. */
export const SUBSCRIPTION_RETRY_AFTER_SECONDS = 300;

const PROFILES: Record<Exclude<ProfileFormat, "base64">, (endpoints: readonly ProfileEndpoint[], context: ProfileContext) => RenderedProfile> = {
  clash: clashProfile,
  "sing-box": singBoxProfile,
  xray: xrayProfile,
};

function profileFor(format: ProfileFormat, links: readonly string[], settings: SubscriptionSettings): RenderedProfile {
  if (format === "base64") {
    return { contentType: "text/plain; charset=utf-8", body: links.length > 0 ? Buffer.from(`${links.join("\n")}\n`, "utf8").toString("base64") : "" };
  }
  return PROFILES[format](profileEndpoints(links), { title: settings.title, probe: settings.probe });
}

function commonHeaders(settings: SubscriptionSettings): Record<string, string> {
  return {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "Profile-Title": `base64:${Buffer.from(settings.title, "utf8").toString("base64")}`,
    "Profile-Update-Interval": String(settings.updateHours),
    "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(settings.title)}`,
    ...(settings.webPageUrl ? { "Profile-Web-Page-Url": settings.webPageUrl } : {}),
    ...(settings.supportUrl ? { "Support-Url": settings.supportUrl } : {}),
  };
}

function profileResponse(format: ProfileFormat, links: readonly string[], settings: SubscriptionSettings, userinfo: string): Response {
  const headers = { ...commonHeaders(settings), "Subscription-Userinfo": userinfo };
  try {
    const profile = profileFor(format, links, settings);
    return new Response(profile.body, { status: 200, headers: { ...headers, "Content-Type": profile.contentType } });
  } catch (error) {
    if (!(error instanceof UnsupportedProfileError)) throw error;
    // 406: the app keeps its last profile, and whoever reads the body learns which format would work.
    const body = `This subscription cannot be written as ${error.format}: ${error.reasons.join("; ")}. Ask for ?format=xray or ?format=base64.\n`;
    return new Response(body, { status: 406, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  }
}

function userinfoHeader({ upload, download, total, expire }: Userinfo): string {
  return `upload=${upload}; download=${download}; total=${total}; expire=${expire}`;
}

export function subscriptionResponse(subscription: Subscription, settings: SubscriptionSettings, format: ProfileFormat = "base64"): Response {
  switch (subscription.kind) {
    case "not-found":
      return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    case "unavailable":
      return new Response("", { status: 503, headers: { ...commonHeaders(settings), "Retry-After": String(SUBSCRIPTION_RETRY_AFTER_SECONDS) } });
    case "empty":
      return profileResponse(format, [], settings, userinfoHeader(subscription.userinfo));
    case "links":
      return profileResponse(format, subscription.links, settings, userinfoHeader(subscription.userinfo));
  }
}
