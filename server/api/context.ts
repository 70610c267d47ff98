import { getActor } from "@/server/auth/session";
import { getDb } from "@/server/db";
import type { TrpcContext } from "./trpc";

export async function createTrpcContext(): Promise<TrpcContext> {
  return { db: await getDb(), actor: await getActor() };
}
