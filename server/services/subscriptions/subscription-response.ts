/**
 * The HTTP shape VPN client apps expect from a subscription URL, as 3X-UI's own subscription
 * server answers it: the links joined by newlines, standard base64; `Subscription-Userinfo`
 * (bytes, expiry in unix seconds, 0 = unlimited/never), `Profile-Update-Interval` in hours,
 * `Profile-Title` as `base64:…` so any title survives header encoding.
 */
import type { Subscription, Userinfo } from "./get-subscription";

export type SubscriptionSettings = { title: string; updateHours: number };

/** Unavailable answers ask apps to retry after this many seconds. */
export const SUBSCRIPTION_RETRY_AFTER_SECONDS = 300;

function commonHeaders(settings: SubscriptionSettings): Record<string, string> {
  return {
    "Content-Type": "text/plain; charset=utf-8",
    "Cache-Control": "no-store",
    "Profile-Title": `base64:${Buffer.from(settings.title, "utf8").toString("base64")}`,
    "Profile-Update-Interval": String(settings.updateHours),
    "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(settings.title)}`,
  };
}

function userinfoHeader({ upload, download, total, expire }: Userinfo): string {
  return `upload=${upload}; download=${download}; total=${total}; expire=${expire}`;
}

export function subscriptionResponse(subscription: Subscription, settings: SubscriptionSettings): Response {
  switch (subscription.kind) {
    case "not-found":
      return new Response("Not found", { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
    case "unavailable":
      return new Response("", { status: 503, headers: { ...commonHeaders(settings), "Retry-After": String(SUBSCRIPTION_RETRY_AFTER_SECONDS) } });
    case "empty":
      return new Response("", { status: 200, headers: { ...commonHeaders(settings), "Subscription-Userinfo": userinfoHeader(subscription.userinfo) } });
    case "links":
      return new Response(Buffer.from(`${subscription.links.join("\n")}\n`, "utf8").toString("base64"), {
        status: 200,
        headers: { ...commonHeaders(settings), "Subscription-Userinfo": userinfoHeader(subscription.userinfo) },
      });
  }
}
