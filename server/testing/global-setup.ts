/**
 * Once per `npm test`: migrate a template database on the PostgreSQL server from TEST_DATABASE_URL,
 * so each test file can clone a fresh, isolated database from it in ~100 ms (see test-db.ts).
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../db/client";
import { runMigrations } from "../db/migrate";
import { DEFAULT_TEST_DATABASE_URL, withDatabase } from "./test-db-url";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`SELECT 1`;
  } catch (e) {
    await admin.end();
    throw new Error(
      `Tests need PostgreSQL at TEST_DATABASE_URL (now ${serverUrl.replace(/:[^:@/]+@/, ":***@")}): ${(e as Error).message}. ` +
        "See README › Tests.",
    );
  }
  const template = `fleet_tmpl_${randomBytes(4).toString("hex")}`;
  await admin.unsafe(`CREATE DATABASE ${template}`);
  const handle = await openDatabase({ url: withDatabase(serverUrl, template), maxConnections: 1 });
  await runMigrations(handle.db);
  await handle.close();

  project.provide("testDatabaseUrl", serverUrl);
  project.provide("templateDatabase", template);

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`
      SELECT datname FROM pg_database WHERE datname = ${template} OR datname LIKE ${`${template}_%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
  };
}
