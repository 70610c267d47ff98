/**
 * The bot API's contract: its request and response shapes and the mappers from service results to
 * them. The route handlers parse and shape with these very schemas, and /api/openapi.json is
 * generated from them (server/openapi), so the document cannot drift from the code.
 */
import { z } from "zod";
import { APP_ERROR_CODES } from "@/server/errors";
import type { KeyView } from "@/server/services/keys/find-user-key";
import type { RevokeResult } from "@/server/services/keys/revoke-key";
import { TelegramId } from "@/server/services/users/telegram-id";

/** The `{telegramId}` path segment: digits only. */
export const TelegramIdParam = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, "must be a positive integer")
  .transform(Number)
  .pipe(TelegramId);

export const TelegramIdParams = z.object({ telegramId: TelegramIdParam });

const Location = z.string().trim().min(1).max(64).meta({ description: "Preferred node location, as set on the nodes (case-insensitive).", example: "NL" });
const StrictLocation = z.boolean().meta({ description: "Only nodes in `location`; without it other locations are the fallback." });

export const KeyRequest = z
  .object({
    telegramId: TelegramId,
    username: z.string().trim().min(1).max(64).optional().meta({ description: "Telegram username, shown to admins." }),
    location: Location.optional(),
    strictLocation: StrictLocation.optional(),
  })
  .meta({ id: "KeyRequest" });

export const RefreshRequest = z
  .object({ telegramId: TelegramId, location: Location.optional(), strictLocation: StrictLocation.optional() })
  .meta({ id: "RefreshRequest" });

const NodeSummary = z.object({ id: z.uuid(), name: z.string(), location: z.string().nullable() });

export const KeyResponse = z
  .object({
    telegramId: TelegramId,
    key: z.string().meta({ description: "The share link (vless://, vmess://, trojan:// or ss://) to import in a VPN app." }),
    subscriptionUrl: z.url().meta({ description: "Stable per user: keeps working when the user is moved to another node." }),
    node: NodeSummary,
    createdAt: z.iso.datetime().meta({ description: "When this key was issued." }),
  })
  .meta({ id: "KeyResponse" });

export const UserResponse = KeyResponse.extend({ username: z.string().nullable() }).meta({ id: "UserResponse" });

export const RevokeResponse = z
  .object({
    telegramId: TelegramId,
    revoked: z.literal(true),
    removedFromPanel: z.boolean().meta({ description: "false: the panel was unreachable; the key no longer counts and the client is removed later." }),
  })
  .meta({ id: "RevokeResponse" });

export const ErrorResponse = z
  .object({
    code: z.enum(Object.keys(APP_ERROR_CODES) as [keyof typeof APP_ERROR_CODES, ...(keyof typeof APP_ERROR_CODES)[]]),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional().meta({ description: "400 only: the invalid fields, by path." }),
  })
  .meta({ id: "Error" });

export function toKeyResponse(view: KeyView): z.output<typeof KeyResponse> {
  return { telegramId: view.telegramId, key: view.key, subscriptionUrl: view.subscriptionUrl, node: view.node, createdAt: view.createdAt.toISOString() };
}

export function toUserResponse(view: KeyView): z.output<typeof UserResponse> {
  return { ...toKeyResponse(view), username: view.username };
}

export function toRevokeResponse(result: RevokeResult): z.output<typeof RevokeResponse> {
  return result;
}
