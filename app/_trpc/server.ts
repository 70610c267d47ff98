/** tRPC for server components and server actions: a direct caller, no HTTP round trip to ourselves. */
import "server-only";
import { cache } from "react";
import { createTrpcContext } from "@/server/api/context";
import { createCaller } from "@/server/api/root";

export const serverApi = cache(async () => createCaller(await createTrpcContext()));
