/** The tRPC context: the app's collaborators (server/composition) and the signed-in admin, if any. */
import { getActor } from "@/server/auth/session";
import { getAppContext, type AppContext } from "@/server/composition/app-context";
import type { TrpcContext } from "./trpc";

export async function createTrpcContext(app?: AppContext): Promise<TrpcContext> {
  return { app: app ?? (await getAppContext()), actor: await getActor() };
}
