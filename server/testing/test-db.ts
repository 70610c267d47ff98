/**
 * A fresh, migrated PostgreSQL database for one test file: cloned from the run's template, dropped
 * by `close()`. Tests against it see real locking, SKIP LOCKED and constraint behaviour.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";
import { openDatabase, type DatabaseHandle } from "../db/client";
import { withDatabase } from "./test-db-url";

export type TestDatabase = DatabaseHandle & { url: string };

export async function createTestDatabase(options: { maxConnections?: number } = {}): Promise<TestDatabase> {
  const serverUrl = inject("testDatabaseUrl");
  const template = inject("templateDatabase");
  const name = `${template}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    // Two clones of one template at the same instant can collide on the template's lock: retry.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        break;
      } catch (e) {
        if (attempt >= 20 || !String((e as Error).message).includes("being accessed by other users")) throw e;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const handle = await openDatabase({ url, maxConnections: options.maxConnections ?? 20 });
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
