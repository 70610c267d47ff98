// GET|POST /api/trpc/* — the dashboard's data API; the session is checked before any body is read and per procedure (server/api/trpc.ts).
import { handleTrpcRequest } from "@/server/api/http-handler";
import { getActor } from "@/server/auth/session";
import { methodNotAllowed, route } from "@/server/http/route";

const handler = route("GET|POST /api/trpc/*", { auth: "public" }, async ({ app, request }) => handleTrpcRequest(app, request, getActor));

export { handler as GET, handler as POST };
export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
