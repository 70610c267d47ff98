/**
 * /api/openapi.json: OpenAPI 3.1 for the machine-facing routes (bot, cron, subscription). Bodies
 * and responses are converted from the zod schemas in server/http/bot-api.ts and cron-api.ts — the same
 * objects the route handlers parse and shape with — so a bot author can generate a client from it.
 */
import { z } from "zod";
import { SIGNATURE_HEADERS } from "@/server/http/bot-auth";
import { REPLAY_WINDOW_SECONDS } from "@/server/services/bot-nonces/bot-nonces";
import {
  ErrorResponse,
  KeyRequest,
  KeyResponse,
  PlanPatchRequest,
  RefreshRequest,
  RevokeResponse,
  TelegramIdParams,
  UserPlanResponse,
  UserResponse,
} from "@/server/http/bot-api";
import { CronRunResponse } from "@/server/http/cron-api";
import { PROFILE_FORMATS } from "@/server/services/subscriptions/formats/profile-format";

type JsonObject = Record<string, unknown>;

/** A route as documented: what the test holds the handlers to. */
export type DocumentedRoute = {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  summary: string;
  request?: z.ZodType;
  params?: z.ZodType;
  response: z.ZodType;
  errors: number[];
};

export const BOT_ROUTES: DocumentedRoute[] = [
  {
    method: "post",
    path: "/api/bot/keys",
    summary: "Get or create the user's key; with plan fields, the user's plan is set to them (a new user starts with it)",
    request: KeyRequest,
    response: KeyResponse,
    errors: [400, 401, 403, 409, 422, 502, 503],
  },
  { method: "post", path: "/api/bot/keys/refresh", summary: "Rotate the user's key (new client; the old one is removed)", request: RefreshRequest, response: KeyResponse, errors: [400, 401, 403, 409, 422, 502, 503] },
  { method: "delete", path: "/api/bot/keys/{telegramId}", summary: "Revoke the user's key", params: TelegramIdParams, response: RevokeResponse, errors: [400, 401, 404, 409] },
  { method: "get", path: "/api/bot/users/{telegramId}", summary: "The user's current node, key, plan and usage", params: TelegramIdParams, response: UserResponse, errors: [400, 401, 404, 409] },
  {
    method: "patch",
    path: "/api/bot/users/{telegramId}",
    summary: "Change the user's plan: expiry (or extend by days), traffic limit, device limit, switch off/on, start a new traffic period",
    params: TelegramIdParams,
    request: PlanPatchRequest,
    response: UserPlanResponse,
    errors: [400, 401, 404],
  },
];

const ERROR_MEANINGS: Record<number, string> = {
  400: "Invalid input; `fields` names each invalid field.",
  401: "Missing or wrong bearer token, or a bad, stale or replayed signature.",
  403: "The user is disabled.",
  404: "The user has no key (PATCH: the user is unknown).",
  409: "`IN_FLIGHT`: another request for this user is still running; retry in a second.",
  422: "`NO_NODE_IN_LOCATION`: `strictLocation` with a location no node is in; the message names the locations there are. Asking again will not help.",
  502: "`PANELS_UNAVAILABLE`: every candidate node failed to create the key; retry later.",
  503: "`NO_CAPACITY`: no node (in the strict location) has room right now, or the route is disabled (BOT_API_TOKEN unset); worth retrying later.",
};

/** zod → JSON Schema 2020-12, with named sub-schemas hoisted into components. */
export function toSchema(schema: z.ZodType, io: "input" | "output", components: JsonObject): JsonObject {
  const converted = JSON.parse(JSON.stringify(z.toJSONSchema(schema, { io })).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonObject;
  const { $schema: _dialect, $defs, ...rest } = converted;
  Object.assign(components, ($defs as JsonObject | undefined) ?? {});
  return rest;
}

function json(schema: JsonObject): JsonObject {
  return { "application/json": { schema } };
}

function botOperation(route: DocumentedRoute, components: JsonObject): JsonObject {
  const errors = Object.fromEntries(
    route.errors.map((status) => [String(status), { description: ERROR_MEANINGS[status], content: json({ $ref: "#/components/schemas/Error" }) }]),
  );
  const params = route.params ? toSchema(route.params, "input", components) : null;
  const properties = (params?.properties ?? {}) as Record<string, JsonObject>;
  return {
    summary: route.summary,
    tags: ["bot"],
    security: [{ botToken: [], botSignature: [] }, { botToken: [] }],
    ...(params ? { parameters: Object.entries(properties).map(([name, schema]) => ({ name, in: "path", required: true, schema })) } : {}),
    ...(route.request ? { requestBody: { required: true, content: json(toSchema(route.request, "input", components)) } } : {}),
    responses: { "200": { description: "OK", content: json(toSchema(route.response, "output", components)) }, ...errors },
  };
}

export function buildOpenApiDocument(publicUrl: string): JsonObject {
  const components: JsonObject = {};
  toSchema(ErrorResponse, "output", components);
  const paths: Record<string, JsonObject> = {};
  for (const route of BOT_ROUTES) paths[route.path] = { ...paths[route.path], [route.method]: botOperation(route, components) };

  const cron = {
    tags: ["cron"],
    summary: "Run one cron pass: health sweep, then history upkeep, reconcile and later steps, within CRON_BUDGET_MS",
    security: [{ cronToken: [] }],
    responses: {
      "200": { description: "The sweep's summary and each step's outcome.", content: json(toSchema(CronRunResponse, "output", components)) },
      "401": { description: ERROR_MEANINGS[401], content: json({ $ref: "#/components/schemas/Error" }) },
      "503": { description: "CRON_SECRET is not set: the route is off.", content: json({ $ref: "#/components/schemas/Error" }) },
    },
  };
  paths["/api/cron/health"] = { get: cron, post: cron };

  paths["/sub/{token}"] = {
    get: {
      tags: ["subscription"],
      summary: "The user's subscription, for VPN client apps",
      description:
        "Body: the profile the calling app reads, chosen by its User-Agent unless `format` names one: the share links one per line in standard base64 " +
        "(v2rayN, v2rayNG, Shadowrocket, Streisand, Happ, Hiddify, and any caller not recognised), Clash/Mihomo YAML, sing-box JSON or an Xray JSON config, " +
        "built from the same links. The URL stays the same when the user is moved. " +
        "No link ever points at an unhealthy, draining or disabled node: then the answer is 503 with Retry-After and apps keep their last profile.",
      parameters: [
        { name: "token", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{16,128}$" } },
        { name: "format", in: "query", required: false, schema: { type: "string", enum: [...PROFILE_FORMATS] }, description: "Overrides the User-Agent's choice." },
        { name: "User-Agent", in: "header", required: false, schema: { type: "string" }, description: "Picks the format when `format` is absent." },
      ],
      responses: {
        "200": {
          description: "The profile (for a user with no key: an empty body in base64, a profile that lets nothing out in the others).",
          headers: {
            "Subscription-Userinfo": {
              schema: { type: "string" },
              description:
                "upload=<bytes>; download=<bytes>; total=<bytes, 0 = unlimited>; expire=<unix seconds, 0 = never> — the user's plan and the fleet-wide usage of the current period from the traffic ledger (every node the user was on), read without calling a panel.",
            },
            "Profile-Title": { schema: { type: "string" }, description: "base64:<title>" },
            "Profile-Update-Interval": { schema: { type: "string" }, description: "Hours between updates." },
            "Profile-Web-Page-Url": { schema: { type: "string" }, description: "SUBSCRIPTION_WEB_PAGE_URL, when set." },
            "Support-Url": { schema: { type: "string" }, description: "SUBSCRIPTION_SUPPORT_URL, when set." },
            "Content-Disposition": { schema: { type: "string" } },
          },
          content: {
            "text/plain": { schema: { type: "string", contentEncoding: "base64" } },
            "text/yaml": { schema: { type: "string" } },
            "application/json": { schema: { type: "object" } },
          },
        },
        "400": { description: "`format` is not one of the accepted values (fields.format says which are).", content: json({ $ref: "#/components/schemas/Error" }) },
        "404": { description: "Unknown token." },
        "406": { description: "The key's transport cannot be written in the asked format (sing-box has no xhttp, …); the body names it." },
        "503": { description: "The key is being created or moved, or its node is not serving: retry after Retry-After seconds.", headers: { "Retry-After": { schema: { type: "integer" } } } },
      },
    },
  };

  return {
    openapi: "3.1.0",
    info: {
      title: "x3ui-fleet machine API",
      version: "1",
      description:
        "Routes for the Telegram bot, the cron pinger and VPN client apps. Errors are always `{code, message, fields?}`. " +
        `When BOT_SIGNING_SECRET is set, bot calls also carry ${SIGNATURE_HEADERS.timestamp} (unix seconds, ±${REPLAY_WINDOW_SECONDS} s), ` +
        `${SIGNATURE_HEADERS.nonce} (16–128 of [A-Za-z0-9_-], single use) and ${SIGNATURE_HEADERS.signature} = hex HMAC-SHA256(secret, "<timestamp>.<nonce>.<METHOD>.<path>.<raw body>").`,
    },
    servers: [{ url: publicUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        botToken: { type: "http", scheme: "bearer", description: "BOT_API_TOKEN" },
        botSignature: { type: "apiKey", in: "header", name: "X-Signature", description: "HMAC-SHA256, see info.description" },
        cronToken: { type: "http", scheme: "bearer", description: "CRON_SECRET" },
      },
    },
  };
}
