/**
 * Where notifications go: signed webhooks to the bot (WEBHOOK_URL + WEBHOOK_SECRET) and admin
 * alerts through the Telegram Bot API (ALERT_TELEGRAM_*). Either may be absent; nothing is
 * queued for a channel that is not configured. `fetch` is injected so tests talk to a local server.
 */
import type { Env } from "@/server/env";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import type { Clock } from "@/server/services/clock";

/** The subset of `fetch` the deliverer uses; `globalThis.fetch` in the app. */
export type HttpFetch = (url: string, init: { method: "POST"; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number }>;

export type NotificationConfig = {
  webhook: { url: string; secret: string } | null;
  telegram: { apiBase: string; botToken: string; chatId: string } | null;
};

export type NotificationDeps = NotificationConfig & { fetch: HttpFetch; clock: Clock; metrics?: FleetMetrics };

export function notificationConfigFromEnv(env: Env): NotificationConfig {
  return {
    // An unsigned webhook would let anyone who learns the URL forge key.moved messages: both or nothing.
    webhook: env.WEBHOOK_URL && env.WEBHOOK_SECRET ? { url: env.WEBHOOK_URL, secret: env.WEBHOOK_SECRET } : null,
    telegram:
      env.ALERT_TELEGRAM_BOT_TOKEN && env.ALERT_TELEGRAM_CHAT_ID
        ? { apiBase: env.ALERT_TELEGRAM_API_BASE.replace(/\/+$/, ""), botToken: env.ALERT_TELEGRAM_BOT_TOKEN, chatId: env.ALERT_TELEGRAM_CHAT_ID }
        : null,
  };
}
