import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { events, webhookDeliveries } from "@/server/db/schema";
import { ref } from "@/server/messages";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { recordNotifiedEvent } from "./enqueue-notification";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.close();
});

describe("recordNotifiedEvent", () => {
  it("stamps the event with the caller's time when given (the failover hold compares it with that clock), else the database's", async () => {
    const config = { webhook: { url: "http://127.0.0.1:9/hook", secret: "whsec-test-0123456789" }, telegram: null };
    const at = new Date("2030-01-02T03:04:05Z");
    const input = { kind: "failover.held" as const, severity: "critical" as const, message: "held", messageRef: ref("event.failover.held", { failed: 5, fleet: 5, limit: 3 }), data: {} };
    await recordNotifiedEvent(test.db, config, { ...input, at });
    await recordNotifiedEvent(test.db, config, input);
    const rows = await test.db.select({ createdAt: events.createdAt, isNow: sql<boolean>`abs(extract(epoch from now() - ${events.createdAt})) < 60` }).from(events).orderBy(events.id);
    expect(rows[0]?.createdAt.toISOString()).toBe(at.toISOString());
    expect(rows[1]?.isNow).toBe(true);
    expect(await test.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.event, "failover.held"))).toHaveLength(2);
  });
});
