/**
 * GET /api/metrics — scraped by Prometheus (every 15–60 s) with `Authorization: Bearer
 * $METRICS_TOKEN`. Prometheus text format: this replica's counters (labelled `instance`) and the
 * fleet's gauges read from the database, so any replica can be scraped. Off (503 UNAVAILABLE, JSON)
 * while METRICS_TOKEN is unset; 401 for a missing or wrong token. See docs/deploy.md › Monitoring.
 */
import { metricsDeps } from "@/server/composition/service-deps";
import { methodNotAllowed, route } from "@/server/http/route";
import { renderMetrics } from "@/server/services/metrics/render-metrics";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = route("GET /api/metrics", { auth: "metrics" }, async ({ app }) => {
  const body = await renderMetrics(metricsDeps(app));
  return new Response(body, { headers: { "Content-Type": app.metrics.contentType, "Cache-Control": "no-store" } });
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed("GET");
