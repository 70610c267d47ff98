/**
 * Observation 6: field messages were the validation library's English ("Invalid input: expected
 * number, received NaN") whatever the reader's language. Over HTTP, as the dashboard calls it, every
 * message and field message of an error comes in the locale of the `locale` cookie.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { handleTrpcRequest } from "./http-handler";

let test: TestDatabase;
let app: AppContext;
let owner: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db);
  owner = await createTestActor(test.db, "owner");
});
afterAll(async () => test.close());

async function mutate(path: string, input: unknown, locale?: string) {
  const request = new Request(`http://fleet.test/api/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(locale ? { cookie: `theme=dark; locale=${locale}` } : {}) },
    body: JSON.stringify({ json: input }),
  });
  const response = await handleTrpcRequest(app, request, async () => owner);
  // superjson wraps the error as { error: { json: … } }.
  const body = (await response.json()) as { error: { json: { message: string; data: { appCode: string | null; fields: Record<string, string> | null } } } };
  return { error: body.error.json };
}

describe("tRPC errors in the reader's language", () => {
  const badNode = { name: "x", panelUrl: "not a url", panelUsername: "u", panelPassword: "p", inboundId: "", weight: "0,0" };

  it("renders field messages in English without a cookie", async () => {
    const { error } = await mutate("nodes.create", badNode);
    expect(error.message).toBe("Some fields are invalid.");
    expect(error.data.fields).toEqual({
      panelUrl: "must be a full URL such as https://panel.example.com:2053/path/",
      inboundId: "is required",
      weight: "must be greater than 0",
    });
  });

  it("renders them in Russian for a Russian reader, and Settings' numbers too", async () => {
    const { error } = await mutate("nodes.create", badNode, "ru");
    expect(error.message).toBe("Некоторые поля заполнены неверно.");
    expect(error.data.fields).toEqual({
      panelUrl: "должен быть полным адресом, например https://panel.example.com:2053/path/",
      inboundId: "обязательное поле",
      weight: "должно быть больше 0",
    });
    const settings = await mutate("health.updateSettings", { health: { intervalSeconds: "", fall: "0" } }, "ru");
    expect(settings.error.data.fields).toEqual({ "health.intervalSeconds": "обязательное поле", "health.fall": "должно быть не меньше 1" });
  });

  it("renders a service's own refusal in the reader's language", async () => {
    const { error } = await mutate("admins.setDisabled", { adminId: owner.adminId, isDisabled: true }, "ru");
    expect(error.message).toBe("Нельзя отключить собственную учётную запись.");
  });
});
