/**
 * The composition root: every collaborator the app's services are given, built once per process
 * from the validated env. tRPC procedures get it in their context (server/api/context.ts), route
 * handlers through the one route wrapper (server/http/route.ts), and the in-process cron and the
 * operator scripts from here too. Tests build their own (server/testing/test-app-context.ts) and
 * pass it in; nothing swaps a module.
 *
 * To add a collaborator (a rate limiter, …): add a field to AppContext, build it in createAppContext,
 * and give it to the services that need it in service-deps.ts.
 */
import { hostname } from "node:os";
import { parseKeyRing, type KeyRing } from "@/server/crypto/secret-box";
import { openAppDatabase, type Database } from "@/server/db";
import { getEnv, type Env } from "@/server/env";
import { logger, type Logger } from "@/server/logger";
import { createFleetMetrics, type FleetMetrics } from "@/server/metrics/fleet-metrics";
import { systemClock, type Clock } from "@/server/services/clock";
import { countPanelCalls } from "@/server/services/metrics/count-panel-calls";
import { dnsResolver, type PanelAddressPolicy } from "@/server/services/nodes/panel-address-guard";
import { createPanelClientFactory, type CreatePanelClient, type PanelClientFactory } from "@/server/services/nodes/panel-for-node";
import { notificationConfigFromEnv, type HttpFetch, type NotificationConfig } from "@/server/services/notifications/notification-config";
import { createRateLimiter, type RateLimiter, type RateLimits } from "@/server/services/rate-limits/rate-limiter";
import { settingsDefaultsFromEnv, type Settings } from "@/server/services/settings/settings";
import type { SubscriptionSettings } from "@/server/services/subscriptions/subscription-response";
import { createPanelClient } from "@/server/x3ui/client";

/** Settings read from the env once; owner overrides of `settingsDefaults` live in the database. */
export type AppConfig = {
  /** PUBLIC_URL without a trailing slash: subscription URLs and the OpenAPI server hang off it. */
  publicUrl: string;
  /** Every panel request (health checks, key flows, test connection) times out after this. */
  panelTimeoutMs: number;
  settingsDefaults: Settings;
  /** The env variables the operator set, so Settings can say where each threshold comes from. */
  setVariables: readonly string[];
  cron: { secret: string | undefined; budgetMs: number; healthConcurrency: number; internalIntervalSeconds: number };
  reconcile: { graceMs: number; maxActions: number; intervalMs: number };
  traffic: { intervalMs: number; concurrency: number };
  plans: { expiringDays: number };
  bot: { token: string | undefined; signingSecret: string | undefined };
  subscription: SubscriptionSettings;
  /**
   * Standby clients on a second node (STANDBY_ENABLED); `batchSize` users are given or moved one per
   * cron pass; a standby moved to even out the load keeps its old client `keepMovedMs` (one
   * subscription update interval), so apps that have not re-fetched yet still have a way out.
   */
  standby: { enabled: boolean; batchSize: number; keepMovedMs: number };
  /** Bearer token of GET /api/metrics; unset = the route is off. */
  metricsToken: string | undefined;
  /** Reverse proxies trusted to append X-Forwarded-For (0: the connection's peer is the client). */
  trustProxyHops: number;
  rateLimits: RateLimits;
};

/** What a panel client is made of, for node services that reach panels not saved yet. */
export type PanelAccess = { keyRing: KeyRing; addressPolicy: PanelAddressPolicy; createClient: CreatePanelClient };

export type AppContext = {
  db: Database;
  clock: Clock;
  logger: Logger;
  /** One per process, so panel sessions are reused across requests and sweeps. */
  panelFor: PanelClientFactory;
  panels: PanelAccess;
  notifications: NotificationConfig;
  fetch: HttpFetch;
  config: AppConfig;
  /** This replica's counters and histograms (GET /api/metrics adds the fleet's gauges). */
  metrics: FleetMetrics;
  /** Counters in PostgreSQL, shared by every replica. */
  rateLimiter: RateLimiter;
};

function appConfigFromEnv(env: Env): AppConfig {
  return {
    publicUrl: env.PUBLIC_URL,
    panelTimeoutMs: env.HEALTH_TIMEOUT_MS,
    settingsDefaults: settingsDefaultsFromEnv(env),
    setVariables: env.setVariables,
    cron: {
      secret: env.CRON_SECRET,
      budgetMs: env.CRON_BUDGET_MS,
      healthConcurrency: env.HEALTH_CONCURRENCY,
      internalIntervalSeconds: env.INTERNAL_CRON_SECONDS,
    },
    reconcile: {
      graceMs: env.RECONCILE_GRACE_SECONDS * 1000,
      maxActions: env.RECONCILE_MAX_ACTIONS,
      intervalMs: env.RECONCILE_INTERVAL_SECONDS * 1000,
    },
    // Nodes read at once by the traffic pass: each read is one or two panel calls and three statements.
    traffic: { intervalMs: env.TRAFFIC_INTERVAL_SECONDS * 1000, concurrency: 32 },
    plans: { expiringDays: env.USER_EXPIRING_DAYS },
    bot: { token: env.BOT_API_TOKEN, signingSecret: env.BOT_SIGNING_SECRET },
    subscription: {
      title: env.SUBSCRIPTION_TITLE,
      updateHours: env.SUBSCRIPTION_UPDATE_HOURS,
      webPageUrl: env.SUBSCRIPTION_WEB_PAGE_URL,
      supportUrl: env.SUBSCRIPTION_SUPPORT_URL,
      probe: { url: env.SUBSCRIPTION_PROBE_URL, intervalSeconds: env.SUBSCRIPTION_PROBE_INTERVAL_SECONDS },
    },
    standby: { enabled: env.STANDBY_ENABLED, batchSize: env.STANDBY_BATCH_SIZE, keepMovedMs: env.SUBSCRIPTION_UPDATE_HOURS * 3_600_000 },
    metricsToken: env.METRICS_TOKEN,
    trustProxyHops: env.TRUST_PROXY,
    rateLimits: {
      bot: { limit: env.RATE_LIMIT_BOT_PER_MINUTE, windowSeconds: 60 },
      "new-key": { limit: env.RATE_LIMIT_NEW_KEYS_PER_HOUR, windowSeconds: 3600 },
      "sub-token": { limit: env.RATE_LIMIT_SUB_PER_MINUTE, windowSeconds: 60 },
      "sub-address": { limit: env.RATE_LIMIT_SUB_ADDRESS_PER_MINUTE, windowSeconds: 60 },
      "sign-in-address": { limit: env.RATE_LIMIT_SIGN_IN_PER_ADDRESS, windowSeconds: 900 },
      "sign-in-account-address": { limit: env.SIGN_IN_MAX_FAILURES, windowSeconds: 900 },
    },
  };
}

/** Builds the context from the env and an open database; `overrides` replace any collaborator. */
export function createAppContext(env: Env, db: Database, overrides: Partial<AppContext> = {}): AppContext {
  const config = overrides.config ?? appConfigFromEnv(env);
  const panels = overrides.panels ?? {
    keyRing: parseKeyRing(env.PANEL_SECRET_KEYS),
    addressPolicy: { allowPrivate: env.ALLOW_PRIVATE_PANELS, resolve: dnsResolver },
    createClient: createPanelClient,
  };
  const metrics = overrides.metrics ?? createFleetMetrics({ instance: env.INSTANCE_ID ?? `${hostname()}:${process.pid}` });
  const clock = overrides.clock ?? systemClock;
  return {
    db,
    clock,
    logger,
    panelFor: countPanelCalls(createPanelClientFactory({ ...panels, timeoutMs: config.panelTimeoutMs }), metrics),
    rateLimiter: createRateLimiter({ db, clock, limits: config.rateLimits, onRefused: (scope) => metrics.rateLimitRefused(scope) }),
    panels,
    notifications: notificationConfigFromEnv(env),
    fetch: (url, init) => fetch(url, init),
    config,
    metrics,
    ...overrides,
  };
}

/** For scripts: the app's context on a database of their own, closed (and the data folder released) by `close`. */
export async function openAppContext(options: { maxConnections?: number } = {}): Promise<{ app: AppContext; close: () => Promise<void> }> {
  const env = getEnv();
  const handle = await openAppDatabase(env, options);
  return { app: createAppContext(env, handle.db), close: handle.close };
}

// Kept on globalThis so dev hot-reload does not open a second PGlite on the same folder.
const processWide = globalThis as unknown as { fleetApp?: Promise<AppContext> };

async function openProcessContext(): Promise<AppContext> {
  const env = getEnv();
  const handle = await openAppDatabase(env);
  return createAppContext(env, handle.db);
}

/** The server process's context, built on first use; a failed start is retried on the next call. */
export async function getAppContext(): Promise<AppContext> {
  processWide.fleetApp ??= openProcessContext().catch((e: unknown) => {
    processWide.fleetApp = undefined;
    throw e;
  });
  return processWide.fleetApp;
}

