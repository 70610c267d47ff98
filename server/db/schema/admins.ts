import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { adminRole } from "./enums";

export const admins = pgTable(
  "admins",
  {
    id: uuid().primaryKey().defaultRandom(),
    username: text().notNull(),
    passwordHash: text().notNull(),
    role: adminRole().notNull().default("viewer"),
    isDisabled: boolean().notNull().default(false),
    // Bumped on password reset, role change, disable or "sign out everywhere"; a JWT carrying an older value is refused.
    sessionVersion: integer().notNull().default(1),
    failedLogins: integer().notNull().default(0),
    lockedUntil: timestamp({ withTimezone: true }),
    lastLoginAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admins_username_lower_uq").on(sql`lower(${t.username})`)],
);

/** Every login attempt, for per-IP throttling that survives restarts and is shared by replicas. */
export const loginAttempts = pgTable(
  "login_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    ip: text().notNull(),
    username: text().notNull(),
    isSuccess: boolean().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("login_attempts_ip_time_idx").on(t.ip, t.createdAt), index("login_attempts_time_idx").on(t.createdAt)],
);

export type Admin = typeof admins.$inferSelect;
export type AdminRole = Admin["role"];
