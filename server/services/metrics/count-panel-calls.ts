/**
 * Counts every panel call and every failure by its kind, per node, at the one place all panel
 * traffic passes: the panel client factory. Each method of a node's client is wrapped; the
 * `generation` property and everything else read through to the real client. One wrapper per
 * client, so a cached client stays one object for its callers.
 */
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import { isPanelError, type PanelClient } from "@/server/x3ui/types";
import type { PanelClientFactory } from "../nodes/panel-for-node";

export function countPanelCalls(panelFor: PanelClientFactory, metrics: FleetMetrics): PanelClientFactory {
  const wrapped = new WeakMap<PanelClient, PanelClient>();
  return (node) => {
    const client = panelFor(node);
    let counted = wrapped.get(client);
    if (!counted) {
      const label = { id: node.id, name: node.name };
      counted = new Proxy(client, {
        get(target, property, receiver) {
          const value: unknown = Reflect.get(target, property, receiver);
          if (typeof value !== "function") return value;
          const failed = (error: unknown) => {
            metrics.panelCall(label, isPanelError(error) ? error.kind : "other");
            throw error;
          };
          return (...args: unknown[]) => {
            let result: unknown;
            try {
              result = (value as (...a: unknown[]) => unknown).apply(target, args);
            } catch (error) {
              return failed(error);
            }
            if (!(result instanceof Promise)) {
              metrics.panelCall(label, null);
              return result;
            }
            return result.then((answer: unknown) => {
              metrics.panelCall(label, null);
              return answer;
            }, failed);
          };
        },
      });
      wrapped.set(client, counted);
    }
    return counted;
  };
}
