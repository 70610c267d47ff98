/**
 * Which profile a subscription request gets: `?format=` when the URL names one (a user pasting the
 * URL into an app we do not recognise, or a support person checking), else the app's User-Agent.
 * Apps that import link lists (v2rayN, v2rayNG, Shadowrocket, Streisand, Happ, Hiddify, and any
 * unknown caller: a browser, curl) get the base64 list; Clash/Mihomo apps YAML; sing-box apps
 * (SFA/SFI/SFM) JSON; an Xray client Xray JSON.
 */
import { z } from "zod";
import { parseInput } from "@/server/errors";

export const PROFILE_FORMATS = ["base64", "clash", "sing-box", "xray"] as const;
export type ProfileFormat = (typeof PROFILE_FORMATS)[number];

export const subscriptionQuery = z.object({ format: z.enum(PROFILE_FORMATS).optional() });

// Order matters: Hiddify says "HiddifyNext/2.5.7 (android) like ClashMeta v2ray sing-box", and
// several link-list apps mention Clash or v2ray in theirs, so the link-list apps are matched first.
const USER_AGENTS: [RegExp, ProfileFormat][] = [
  [/^(v2rayN|v2rayNG|Shadowrocket|Streisand|Happ|Hiddify|HiddifyNext|v2RayTun|V2Box|FoXray|NekoBox|Karing)\//i, "base64"],
  [/clash|mihomo|stash|FlClash|ClashX|Nyanpasu/i, "clash"],
  [/^(SFA|SFI|SFM|SFT)\/|sing-box/i, "sing-box"],
  [/^xray\b|xray-core/i, "xray"],
];

export function formatForUserAgent(userAgent: string | null): ProfileFormat {
  if (!userAgent) return "base64";
  return USER_AGENTS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? "base64";
}

/** The format asked for: an unknown `format` is a 400 naming the field and the accepted values. */
export function profileFormatFor(request: Request): ProfileFormat {
  const query = parseInput(subscriptionQuery, Object.fromEntries(new URL(request.url).searchParams));
  return query.format ?? formatForUserAgent(request.headers.get("user-agent"));
}
