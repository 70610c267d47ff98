/** The tRPC context: the app's collaborators (server/composition), the signed-in admin, if any, and the reader's locale. */
import { getLocale } from "@/components/i18n/server";
import { getActor } from "@/server/auth/session";
import { getAppContext, type AppContext } from "@/server/composition/app-context";
import type { TrpcContext } from "./trpc";

export async function createTrpcContext(app?: AppContext): Promise<TrpcContext> {
  return { app: app ?? (await getAppContext()), actor: await getActor(), locale: await getLocale() };
}
