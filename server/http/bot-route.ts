/**
 * The one wrapper for /api/bot/* handlers: reads the raw body once (the signature covers it),
 * authenticates the bot (bot-auth.ts), and maps every error to `{code, message, fields?}`.
 */
import type { z } from "zod";
import type { Database } from "@/server/db/client";
import { getDb } from "@/server/db";
import { getEnv } from "@/server/env";
import { badRequest } from "@/server/errors";
import { systemClock } from "@/server/services/clock";
import { verifyBotRequest } from "./bot-auth";
import { parseWith } from "./parse-input";
import { withRouteErrors } from "./route-handler";

export type BotRequest<P> = {
  request: Request;
  db: Database;
  params: P;
  /** The JSON body validated against `schema`; a malformed body is a 400 on `body`. */
  json<S extends z.ZodType>(schema: S): z.output<S>;
};

export function botRoute<P = Record<string, never>>(
  route: string,
  handler: (input: BotRequest<P>) => Promise<Response>,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  return withRouteErrors(route, async (request: Request, context: { params: Promise<P> }) => {
    const env = getEnv();
    const rawBody = await request.text();
    const db = await getDb();
    await verifyBotRequest(db, { token: env.BOT_API_TOKEN, signingSecret: env.BOT_SIGNING_SECRET }, systemClock, request, rawBody);
    return handler({
      request,
      db,
      params: await context.params,
      json: (schema) => {
        let body: unknown;
        try {
          body = JSON.parse(rawBody);
        } catch {
          throw badRequest({ body: "must be a JSON document" });
        }
        return parseWith(schema, body);
      },
    });
  });
}
