import { sql } from "drizzle-orm";
import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    // Consecutive failed sign-ins from anywhere: they slow the next attempt down, never lock it out.
    failedLogins: integer().notNull().default(0),
    lastLoginAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admins_username_lower_uq").on(sql`lower(${t.username})`)],
);

export type Admin = typeof admins.$inferSelect;
export type AdminRole = Admin["role"];
