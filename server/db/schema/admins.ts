import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
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
    // TOTP (RFC 6238) secret, encrypted with the panel key ring (AAD admin:<id>:totp); in force once
    // `totpEnabledAt` is set (a secret without it is an enrolment not confirmed yet).
    totpSecretEnc: text(),
    totpEnabledAt: timestamp({ withTimezone: true }),
    // The last 30-second step a code was accepted for: a code works once (RFC 6238 §5.2).
    totpLastStep: bigint({ mode: "number" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admins_username_lower_uq").on(sql`lower(${t.username})`)],
);

/**
 * One row per signed-in browser: the JWT carries its id, so signing out (or a password change, for
 * every other session) revokes exactly those sessions, checked on each request like the version.
 */
export const adminSessions = pgTable(
  "admin_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    adminId: uuid()
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    ip: text(),
    userAgent: text(),
  },
  (t) => [index("admin_sessions_admin_idx").on(t.adminId), index("admin_sessions_expires_idx").on(t.expiresAt)],
);

/** Single-use recovery codes for a lost authenticator, stored as SHA-256 of 80-bit random codes. */
export const adminRecoveryCodes = pgTable(
  "admin_recovery_codes",
  {
    adminId: uuid()
      .notNull()
      .references(() => admins.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("admin_recovery_codes_uq").on(t.adminId, t.codeHash)],
);

export type Admin = typeof admins.$inferSelect;
export type AdminRole = Admin["role"];
