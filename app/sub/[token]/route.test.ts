/** Observation 6: /sub had no limit. Per token and per client address, 429 with Retry-After. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PEER_ADDRESS_HEADER } from "@/server/http/client-address";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { GET } from "./route";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const fetchSub = (handler: ReturnType<typeof GET.withApp>, token: string, address: string) =>
  handler(new Request(`http://fleet.test/sub/${token}`, { headers: { [PEER_ADDRESS_HEADER]: address } }), { params: Promise.resolve({ token }) });

describe("GET /sub/{token} limits", () => {
  it("refuses a token fetched too often, from any address", async () => {
    const handler = GET.withApp(createTestAppContext(test.db, { env: { RATE_LIMIT_SUB_PER_MINUTE: "2", RATE_LIMIT_SUB_ADDRESS_PER_MINUTE: "0" } }));
    const token = "T".repeat(32);
    expect((await fetchSub(handler, token, "198.51.100.1")).status).toBe(404);
    expect((await fetchSub(handler, token, "198.51.100.2")).status).toBe(404);
    const refused = await fetchSub(handler, token, "198.51.100.3");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await fetchSub(handler, "U".repeat(32), "198.51.100.3")).status).toBe(404);
  });

  it("refuses an address that walks through many tokens", async () => {
    const handler = GET.withApp(createTestAppContext(test.db, { env: { RATE_LIMIT_SUB_PER_MINUTE: "0", RATE_LIMIT_SUB_ADDRESS_PER_MINUTE: "3" } }));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetchSub(handler, `guess${i}`.padEnd(32, "x"), "203.0.113.50")).status);
    expect(statuses).toEqual([404, 404, 404, 429, 429]);
    expect((await fetchSub(handler, "guess9".padEnd(32, "x"), "203.0.113.51")).status).toBe(404);
  });
});
