// GET|POST /api/auth/* — Auth.js endpoints (sign-in callback, session, sign-out, CSRF) for the dashboard.
import { handlers } from "@/server/auth/config";

export const { GET, POST } = handlers;
