// GET|POST /api/trpc/* — the dashboard's data API; the session is checked per procedure (server/api/trpc.ts).
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTrpcContext } from "@/server/api/context";
import { appRouter } from "@/server/api/root";
import { route } from "@/server/http/route";

const handler = route("GET|POST /api/trpc/*", { auth: "public" }, async ({ app, request }) =>
  fetchRequestHandler({ endpoint: "/api/trpc", req: request, router: appRouter, createContext: () => createTrpcContext(app) }),
);

export { handler as GET, handler as POST };
