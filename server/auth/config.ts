/**
 * next-auth (Auth.js v5): credentials login with JWT sessions. The config is built per request
 * so the secret comes from the validated env at run time, never at build time. The JWT carries
 * the admin id and session version only; role and enabled state are read from the database on
 * each use (see session.ts), so a demotion or a disable takes effect at once.
 */
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { getAppContext } from "@/server/composition/app-context";
import { getEnv } from "@/server/env";
import { logger } from "@/server/logger";
import { authenticateAdmin } from "@/server/services/admins/authenticate-admin";
import { clientAddressFrom } from "@/server/http/client-address";

export class ThrottledSignin extends CredentialsSignin {
  override code = "throttled";
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
        credentials: { username: {}, password: {} },
        async authorize(credentials, request) {
          const username = typeof credentials.username === "string" ? credentials.username : "";
          const password = typeof credentials.password === "string" ? credentials.password : "";
          if (!username || !password) return null;
          const app = await getAppContext();
          const result = await authenticateAdmin(app, { username, password, ip: clientAddressFrom(request.headers, app.config.trustProxyHops) });
          if (!result.ok) {
            if (result.reason === "throttled") throw new ThrottledSignin();
            return null;
          }
          return { id: result.admin.id, name: result.admin.username, sessionVersion: result.admin.sessionVersion };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.adminId = user.id;
          token.sessionVersion = (user as { sessionVersion?: number }).sessionVersion;
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, adminId: token.adminId as string | undefined, sessionVersion: token.sessionVersion as number | undefined };
      },
    },
  };
});
