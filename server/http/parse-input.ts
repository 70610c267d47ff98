/** Zod parsing for route handlers: invalid input becomes a 400 naming each field. */
import type { z } from "zod";
import { badRequest, fieldErrorsFromZod } from "@/server/errors";

export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest(fieldErrorsFromZod(parsed.error.issues));
  return parsed.data;
}

/** The JSON body, validated; an empty or malformed body is a 400 on `body`. */
export async function parseJsonBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    throw badRequest({ body: "must be a JSON document" });
  }
  return parseWith(schema, body);
}

/** The query string as a flat object (last value wins), validated. */
export function parseSearchParams<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return parseWith(schema, Object.fromEntries(new URL(request.url).searchParams));
}
