/**
 * next-auth (Auth.js v5): credentials login with JWT sessions. The config is built per request
 * so the secret comes from the validated env at run time, never at build time. The JWT carries
 * the admin id, session version and session row id only; role, enabled state and whether the
 * session was revoked are read from the database on each use (resolve-actor.ts), so a demotion, a
 * disable or a sign-out takes effect at once.
 */
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getAppContext } from "@/server/composition/app-context";
import { getEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { adminDeps } from "@/server/composition/service-deps";
import { startAdminSession } from "@/server/services/admins/admin-sessions";
import { authenticateAdmin } from "@/server/services/admins/authenticate-admin";
import { clientAddressFrom } from "@/server/http/client-address";

export class ThrottledSignin extends CredentialsSignin {
  override code = "throttled";
}
/** The password was right; the account has two-factor on and no code came with it. */
export class TotpRequiredSignin extends CredentialsSignin {
  override code = "totp-required";
}
export class TotpInvalidSignin extends CredentialsSignin {
  override code = "totp-invalid";
}

const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export const { handlers, auth, signIn, signOut } = NextAuth(() => {
  const env = getEnv();
  return {
    secret: env.AUTH_SECRET,
    trustHost: true,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login" },
    // Auth.js logs a stack trace for every wrong password by default.
    logger: {
      error: (error) => {
        // `name` is minified in the production build; Auth.js errors carry a stable `type`.
        if ((error as { type?: string }).type !== "CredentialsSignin") logger.error("auth error", { error });
      },
      warn: () => {},
      debug: () => {},
    },
    providers: [
      Credentials({
        credentials: { username: {}, password: {}, totp: {} },
        async authorize(credentials, request) {
          const username = typeof credentials.username === "string" ? credentials.username : "";
          const password = typeof credentials.password === "string" ? credentials.password : "";
          const totpCode = typeof credentials.totp === "string" && credentials.totp.trim() ? credentials.totp.trim() : undefined;
          if (!username || !password) return null;
          const app = await getAppContext();
          const ip = clientAddressFrom(request.headers, app.config.trustProxyHops);
          const result = await authenticateAdmin(adminDeps(app), { username, password, ip, totpCode });
          if (!result.ok) {
            if (result.reason === "throttled") throw new ThrottledSignin();
            if (result.reason === "totp-required") throw new TotpRequiredSignin();
            if (result.reason === "totp-invalid") throw new TotpInvalidSignin();
            return null;
          }
          const sessionId = await startAdminSession(app, {
            adminId: result.admin.id,
            maxAgeSeconds: SESSION_MAX_AGE_SECONDS,
            ip,
            userAgent: request.headers.get("user-agent"),
          });
          return { id: result.admin.id, name: result.admin.username, sessionVersion: result.admin.sessionVersion, sessionId };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.adminId = user.id;
          token.sessionVersion = (user as { sessionVersion?: number }).sessionVersion;
          token.sessionId = (user as { sessionId?: string }).sessionId;
        }
        return token;
      },
      session({ session, token }) {
        return {
          ...session,
          adminId: token.adminId as string | undefined,
          sessionVersion: token.sessionVersion as number | undefined,
          sessionId: token.sessionId as string | undefined,
        };
      },
    },
  };
});
