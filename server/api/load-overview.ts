import type { createCaller } from "./root";

/**
 * Everything the overview page shows on first paint, read in parallel. The page and the test that
 * counts the page's statements (routers/stats.test.ts) both call this, so they cannot drift apart.
 */
export async function loadOverview(api: ReturnType<typeof createCaller>) {
  const [overview, load, latency, timeline, daily, events, traffic, trafficOverview] = await Promise.all([
    api.stats.overview(),
    api.stats.nodeLoad(),
    api.stats.latency({ range: "24h" }),
    api.stats.healthTimeline({ range: "24h" }),
    api.stats.daily(),
    api.stats.events({ pageSize: 8 }),
    api.stats.traffic({ range: "24h" }),
    api.stats.trafficOverview(),
  ]);
  return { overview, load, latency, timeline, daily, events, traffic, trafficOverview };
}
