import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BOT_ROUTES, buildOpenApiDocument, toSchema } from "./document";

const doc = buildOpenApiDocument("https://fleet.example.com") as {
  openapi: string;
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
  components: { schemas: Record<string, unknown> };
};

/** app/api/bot/keys/{telegramId} → app/api/bot/keys/[telegramId]/route.ts */
function routeFile(apiPath: string): string {
  return path.join(process.cwd(), "app", ...apiPath.split("/").filter(Boolean).map((s) => s.replace(/^\{(.+)\}$/, "[$1]")), "route.ts");
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (k === "$ref" && typeof v === "string" ? [v] : refsIn(v)));
  }
  return [];
}

describe("openapi document", () => {
  it("is OpenAPI 3.1 and every $ref resolves", () => {
    expect(doc.openapi).toBe("3.1.0");
    for (const ref of refsIn(doc)) {
      expect(doc.components.schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
    }
  });

  it.each(BOT_ROUTES)("documents $method $path with the schemas its handler uses", async (route) => {
    const operation = doc.paths[route.path]?.[route.method];
    expect(operation).toBeDefined();
    const scratch: Record<string, unknown> = {};
    if (route.request) expect(operation?.requestBody?.content["application/json"]?.schema).toEqual(toSchema(route.request, "input", scratch));
    expect(operation?.responses["200"]?.content?.["application/json"]?.schema).toEqual(toSchema(route.response, "output", scratch));
    for (const [name, schema] of Object.entries(scratch)) expect(doc.components.schemas[name]).toEqual(schema);
    // The handler exists and answers this method (the bot route tests hold it to the same schemas).
    const file = routeFile(route.path);
    expect(existsSync(file), file).toBe(true);
    const handlers = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
    expect(typeof handlers[route.method.toUpperCase()]).toBe("function");
  });

  it("documents the cron and subscription routes that exist", () => {
    for (const apiPath of ["/api/cron/health", "/sub/{token}"]) {
      expect(doc.paths[apiPath]).toBeDefined();
      expect(existsSync(routeFile(apiPath)), apiPath).toBe(true);
    }
  });
});
