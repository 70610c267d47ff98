/** Test support: an admin row (audit rows reference it) and the actor for it. */
import { randomBytes } from "node:crypto";
import type { Database } from "@/server/db/client";
import { admins, type AdminRole } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";

export async function createTestActor(db: Database, role: AdminRole = "admin"): Promise<Actor> {
  const username = `${role}-${randomBytes(3).toString("hex")}`;
  const [admin] = await db.insert(admins).values({ username, passwordHash: "unused", role }).returning();
  return { adminId: admin!.id, username, role, ip: "127.0.0.1", userAgent: "vitest" };
}
