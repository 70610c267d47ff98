/**
 * GET|POST /api/cron/health — called by an external scheduler (crontab + curl, a systemd timer,
 * Vercel Cron) every 30–60 s with `Authorization: Bearer $CRON_SECRET`. Runs one cron pass
 * (health sweep, then history upkeep and whatever later steps are registered) within
 * CRON_BUDGET_MS and answers the sweep's summary. Safe to call twice at once or from several
 * replicas: nodes are claimed, never checked twice. When CRON_SECRET is unset the route is off
 * (503) in every environment; single-machine installs use the in-process timer instead.
 */
import { runAppCron } from "@/server/composition/cron";
import { AppError } from "@/server/errors";
import { methodNotAllowed, route } from "@/server/http/route";
import { HEALTH_STEP } from "@/server/services/health/health-cron-steps";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const handle = route("GET|POST /api/cron/health", { auth: "cron" }, async ({ app }) => {
  const run = await runAppCron(app, "http");
  const health = run.steps.find((s) => s.name === HEALTH_STEP);
  if (health?.status !== "ok") throw new AppError("INTERNAL", "The health sweep failed; see the server log.");
  return Response.json({ ...(health.result as object), run: { id: run.runId, durationMs: run.durationMs, steps: run.steps.map(({ name, status, durationMs }) => ({ name, status, durationMs })) } });
});

export const GET = handle;
export const POST = handle;
export const { PUT, PATCH, DELETE } = methodNotAllowed("GET", "POST");
