import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db/client";
import { checkDatabase } from "@/server/services/system/check-database";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { GET } from "./route";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const ping = () => new Request("http://fleet.test/api/ping");
const noParams = { params: Promise.resolve({}) };

describe("GET /api/ping", () => {
  it("answers ok while the database answers", async () => {
    const response = await GET.withApp(createTestAppContext(test.db))(ping(), noParams);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it("answers 503 when the database does not", async () => {
    const gone = await openDatabase({ url: test.url, maxConnections: 1 });
    await gone.close();
    await expect(checkDatabase(gone)).rejects.toMatchObject({ code: "UNAVAILABLE" });
    const response = await GET.withApp(createTestAppContext(gone.db))(ping(), noParams);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: "UNAVAILABLE", message: "The database is not reachable." });
  });
});
