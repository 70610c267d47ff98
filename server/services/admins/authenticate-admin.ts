/**
 * Checks an admin's credentials with sign-in throttling held in PostgreSQL (shared by replicas,
 * kept across restarts), built so nobody can lock an account out from somewhere else:
 *
 * - per address: at most RATE_LIMIT_SIGN_IN_PER_ADDRESS attempts per 15 minutes, whatever account;
 * - per (account, address): SIGN_IN_MAX_FAILURES attempts, cleared by a successful sign-in — the
 *   lockout an attacker earns is theirs alone, the owner signing in from their own address is not
 *   touched by it;
 * - per account: a delay that grows with consecutive failures from anywhere (up to
 *   MAX_ACCOUNT_DELAY_MS), slowing a distributed guesser without ever refusing the right password.
 *
 * The two counters are single-statement upserts (rate-limiter.ts): parallel attempts each count, so
 * a burst cannot slip past a check it raced. Unknown usernames cost the same as a wrong password.
 *
 * An admin with two-factor on also needs a current code or a recovery code (two-factor.ts); the
 * right password alone answers "totp-required", a wrong code counts as a failure.
 */
import { eq, sql } from "drizzle-orm";
import { admins, type Admin } from "@/server/db/schema";
import { AppError, isAppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { RateLimiter } from "@/server/services/rate-limits/rate-limiter";
import { burnPasswordCheck, verifyPassword } from "./password";
import { verifySecondFactor, type TwoFactorDeps } from "./two-factor";

/** Consecutive failures from anywhere before each further attempt on the account waits, doubling up to the maximum. */
export const FAILURES_BEFORE_DELAY = 5;
const BASE_DELAY_MS = 500;
export const MAX_ACCOUNT_DELAY_MS = 8_000;

export type LoginResult =
  | { ok: true; admin: Admin }
  | { ok: false; reason: "invalid" | "throttled" | "totp-required" | "totp-invalid"; retryAfterSeconds?: number };

export type AuthenticateDeps = TwoFactorDeps & {
  rateLimiter: RateLimiter;
  /** How the per-account delay is waited out; tests pass one that records instead of sleeping. */
  pause?: (ms: number) => Promise<void>;
};

export function accountDelayMs(failures: number): number {
  const over = failures - FAILURES_BEFORE_DELAY;
  return over < 0 ? 0 : Math.min(BASE_DELAY_MS * 2 ** over, MAX_ACCOUNT_DELAY_MS);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function throttled(attempt: () => Promise<void>): Promise<LoginResult | null> {
  try {
    await attempt();
    return null;
  } catch (error) {
    if (isAppError(error) && error.code === "TOO_MANY_REQUESTS") return { ok: false, reason: "throttled", retryAfterSeconds: error.retryAfterSeconds };
    throw error;
  }
}

export async function authenticateAdmin(
  deps: AuthenticateDeps,
  input: { username: string; password: string; ip: string; totpCode?: string },
): Promise<LoginResult> {
  const { db } = deps;
  const username = input.username.trim();
  if (!username || !input.password) throw new AppError("BAD_REQUEST", ref("error.signIn.missing"));
  const pair = `${username.toLowerCase()}|${input.ip}`;

  const refused =
    (await throttled(() => deps.rateLimiter.hit("sign-in-address", input.ip))) ??
    (await throttled(() => deps.rateLimiter.hit("sign-in-account-address", pair)));
  if (refused) {
    await burnPasswordCheck(input.password);
    return refused;
  }

  const [admin] = await db.select().from(admins).where(sql`lower(${admins.username}) = lower(${username})`);
  const delay = accountDelayMs(admin?.failedLogins ?? 0);
  if (delay > 0) await (deps.pause ?? sleep)(delay);
  const isValid = admin ? await verifyPassword(admin.passwordHash, input.password) : (await burnPasswordCheck(input.password), false);

  if (!admin) return { ok: false, reason: "invalid" };
  // Incremented in SQL, so concurrent wrong guesses each count.
  const countFailure = () => db.update(admins).set({ failedLogins: sql`${admins.failedLogins} + 1` }).where(eq(admins.id, admin.id));
  if (!isValid) {
    await countFailure();
    return { ok: false, reason: "invalid" };
  }
  if (admin.isDisabled) return { ok: false, reason: "invalid" };
  if (admin.totpEnabledAt) {
    if (!input.totpCode) return { ok: false, reason: "totp-required" };
    if (!(await verifySecondFactor(deps, admin, input.totpCode))) {
      await countFailure();
      return { ok: false, reason: "totp-invalid" };
    }
  }

  const [signedIn] = await db.update(admins).set({ failedLogins: 0, lastLoginAt: deps.clock.now() }).where(eq(admins.id, admin.id)).returning();
  await deps.rateLimiter.reset("sign-in-account-address", pair);
  return { ok: true, admin: signedIn! };
}
