/**
 * Checks an admin's credentials with login throttling stored in Postgres, so it holds across
 * restarts and replicas: per account, a soft lockout that grows with consecutive failures; per IP,
 * a cap on failures in a sliding window. Unknown usernames cost the same as a wrong password.
 */
import { and, count, eq, gt, lt, sql } from "drizzle-orm";
import { burnPasswordCheck, verifyPassword } from "./password";
import type { Database } from "@/server/db/client";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import { admins, loginAttempts, type Admin } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { systemClock, type Clock } from "../clock";

export const LOGIN_POLICY = {
  /** Failures before the account locks; each further failure doubles the lock, up to the maximum. */
  accountFailuresBeforeLock: 5,
  baseLockSeconds: 60,
  maxLockSeconds: 15 * 60,
  ipWindowSeconds: 15 * 60,
  ipMaxFailures: 30,
  attemptRetentionDays: 7,
};

export type LoginResult = { ok: true; admin: Admin } | { ok: false; reason: "invalid" | "throttled"; retryAfterSeconds?: number };

function lockSecondsAfter(failures: number): number {
  const over = failures - LOGIN_POLICY.accountFailuresBeforeLock;
  if (over < 0) return 0;
  return Math.min(LOGIN_POLICY.baseLockSeconds * 2 ** over, LOGIN_POLICY.maxLockSeconds);
}

export async function authenticateAdmin(
  deps: { db: Database; clock?: Clock; metrics?: FleetMetrics },
  input: { username: string; password: string; ip: string },
): Promise<LoginResult> {
  const { db } = deps;
  const now = (deps.clock ?? systemClock).now();
  const username = input.username.trim();
  if (!username || !input.password) throw new AppError("BAD_REQUEST", ref("error.signIn.missing"));

  const windowStart = new Date(now.getTime() - LOGIN_POLICY.ipWindowSeconds * 1000);
  const [ipFailures] = await db
    .select({ n: count() })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.ip, input.ip), eq(loginAttempts.isSuccess, false), gt(loginAttempts.createdAt, windowStart)));
  if ((ipFailures?.n ?? 0) >= LOGIN_POLICY.ipMaxFailures) {
    await burnPasswordCheck(input.password);
    deps.metrics?.rateLimitRefused("login_ip");
    return { ok: false, reason: "throttled", retryAfterSeconds: LOGIN_POLICY.ipWindowSeconds };
  }

  const [admin] = await db.select().from(admins).where(sql`lower(${admins.username}) = lower(${username})`);
  if (admin?.lockedUntil && admin.lockedUntil > now) {
    await burnPasswordCheck(input.password);
    await db.insert(loginAttempts).values({ ip: input.ip, username, isSuccess: false, createdAt: now });
    deps.metrics?.rateLimitRefused("login_account");
    return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil((admin.lockedUntil.getTime() - now.getTime()) / 1000) };
  }

  const isValid = admin ? await verifyPassword(admin.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);
  await db.insert(loginAttempts).values({ ip: input.ip, username, isSuccess: isValid && !admin?.isDisabled, createdAt: now });

  if (!admin) return { ok: false, reason: "invalid" };
  if (!isValid) {
    // Increment in SQL so concurrent wrong guesses each count.
    const [updated] = await db
      .update(admins)
      .set({ failedLogins: sql`${admins.failedLogins} + 1` })
      .where(eq(admins.id, admin.id))
      .returning({ failedLogins: admins.failedLogins });
    const lockSeconds = lockSecondsAfter(updated?.failedLogins ?? 0);
    if (lockSeconds > 0) {
      await db.update(admins).set({ lockedUntil: new Date(now.getTime() + lockSeconds * 1000) }).where(eq(admins.id, admin.id));
    }
    return { ok: false, reason: "invalid" };
  }
  if (admin.isDisabled) return { ok: false, reason: "invalid" };

  const [signedIn] = await db
    .update(admins)
    .set({ failedLogins: 0, lockedUntil: null, lastLoginAt: now })
    .where(eq(admins.id, admin.id))
    .returning();
  await db.delete(loginAttempts).where(lt(loginAttempts.createdAt, new Date(now.getTime() - LOGIN_POLICY.attemptRetentionDays * 86_400_000)));
  return { ok: true, admin: signedIn! };
}
