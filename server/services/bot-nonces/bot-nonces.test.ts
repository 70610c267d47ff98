import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { botNonces } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { pruneBotNonces, recordBotNonce, REPLAY_WINDOW_SECONDS } from "./bot-nonces";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

describe("bot nonces", () => {
  it("takes a nonce once, also under concurrent replays", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => recordBotNonce(test.db, "nonce-0123456789abcdef")));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await recordBotNonce(test.db, "nonce-0123456789abcdef")).toBe(false);
  });

  it("prunes only nonces older than twice the replay window", async () => {
    await test.db.insert(botNonces).values([
      { nonce: "old-nonce-0123456789", seenAt: sql`now() - make_interval(secs => ${REPLAY_WINDOW_SECONDS * 2 + 5})` },
      { nonce: "recent-nonce-012345", seenAt: sql`now() - make_interval(secs => ${REPLAY_WINDOW_SECONDS})` },
    ]);
    expect(await pruneBotNonces(test.db)).toBe(1);
    const left = (await test.db.select({ nonce: botNonces.nonce }).from(botNonces)).map((r) => r.nonce).sort();
    expect(left).toEqual(["nonce-0123456789abcdef", "recent-nonce-012345"]);
  });
});
