// GET|POST /api/trpc/* — the dashboard's data API; the session is checked per procedure (server/api/trpc.ts).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTrpcContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";

function handler(request: Request) {
  return fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext: createTrpcContext });
}

export { handler as GET, handler as POST };
