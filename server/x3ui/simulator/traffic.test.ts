// The simulator's traffic job against what real v2.6.8, v2.9.4 and v3.6.0 panels were seen to do:
// counting at the poll, restarts, v3.6.0's baseline poll, depletion, onlines and resets.

import { afterEach, describe, expect, it } from "vitest";

import { startFaultProxy } from "@/server/x3ui/testing/fault-proxy";
import { createPanelClient } from "../client";
import { startSimulator, type SimulatedPanel } from "./index";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((fn) => fn()));
});

async function sim(version: string): Promise<SimulatedPanel> {
  const panel = await startSimulator({ version, trafficPollMs: 0 });
  cleanups.push(() => panel.close());
  return panel;
}

const row = (panel: SimulatedPanel, email: string) => panel.state.traffic.get(email);
const settingsEnable = (panel: SimulatedPanel, email: string) => panel.state.findClient(email)?.client.enable;

describe("simulated traffic counters", () => {
  it("counts bytes at the poll, not when they flow", async () => {
    const panel = await sim("2.9.4");
    expect(panel.state.flow("seed-vless", 10, 1_000)).toBe(true);
    expect(row(panel, "seed-vless")).toMatchObject({ up: 0, down: 0 });
    panel.state.poll(1_000);
    expect(row(panel, "seed-vless")).toMatchObject({ up: 10, down: 1_000, allTime: 1_010, lastOnline: 1_000 });
  });

  it.each(["2.6.8", "2.9.4", "3.6.0"])("v%s: a restart keeps stored counters and loses what was not polled", async (version) => {
    const panel = await sim(version);
    panel.state.recordTraffic("seed-vless", 5, 500);
    panel.state.flow("seed-vless", 7, 700);
    await panel.faults.restart(0);
    panel.state.poll();
    expect(row(panel, "seed-vless")).toMatchObject({ up: 5, down: 500 });
  });

  it("v3.6.0 drops the traffic of its first poll after a start (baselines); v2 counts it", async () => {
    for (const [version, expected] of [["3.6.0", 0], ["2.9.4", 300]] as const) {
      const panel = await sim(version);
      await panel.faults.restart(0);
      panel.state.flow("seed-vless", 0, 300);
      panel.state.poll();
      expect(row(panel, "seed-vless")?.down).toBe(expected);
      panel.state.recordTraffic("seed-vless", 0, 50);
      expect(row(panel, "seed-vless")?.down).toBe(expected + 50);
    }
  });

  it.each([
    ["2.6.8", { row: false, settings: true }],
    ["2.9.4", { row: false, settings: false }],
    ["3.6.0", { row: false, settings: false }],
  ])("v%s: switches a depleted client off at the poll (%o), and Xray refuses it", async (version, expected) => {
    const panel = await sim(version);
    const client = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 1000 });
    await client.updateClient(1, "seed-vless", { totalBytes: 1_000 });
    panel.state.recordTraffic("seed-vless", 100, 950);
    expect(row(panel, "seed-vless")?.enable).toBe(expected.row);
    expect(settingsEnable(panel, "seed-vless")).toBe(expected.settings);
    expect(panel.state.flow("seed-vless", 1, 1)).toBe(false);
    // A larger quota with enable:true revives it on every version.
    await client.updateClient(1, "seed-vless", { enable: true, totalBytes: 10_000 });
    expect(row(panel, "seed-vless")?.enable).toBe(true);
    expect(panel.state.flow("seed-vless", 1, 1)).toBe(true);
  });

  it("turns a delayed-start expiry into a date at the first poll that sees traffic, then expires the client", async () => {
    const panel = await sim("3.6.0");
    const client = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 1000 });
    await client.updateClient(1, "seed-vless", { expiryTime: -60_000 });
    panel.state.poll(1_000);
    expect(panel.state.findClient("seed-vless")?.client.expiryTime).toBe(-60_000);
    panel.state.flow("seed-vless", 1, 1);
    panel.state.poll(2_000);
    expect(panel.state.findClient("seed-vless")?.client.expiryTime).toBe(62_000);
    panel.state.poll(62_000);
    expect(row(panel, "seed-vless")?.enable).toBe(false);
  });

  it("reports onlines per version: v2 the last poll's clients, v3 for 20 s after the last bytes", async () => {
    const v2 = await sim("2.9.4");
    v2.state.flow("seed-vless", 1, 1);
    v2.state.poll(10_000);
    expect(v2.state.onlineEmails(10_001)).toEqual(["seed-vless"]);
    v2.state.poll(20_000);
    expect(v2.state.onlineEmails(20_001)).toEqual([]);

    const v3 = await sim("3.6.0");
    v3.state.flow("seed-vless", 1, 1);
    v3.state.poll(10_000);
    v3.state.poll(15_000);
    expect(v3.state.onlineEmails(29_000)).toEqual(["seed-vless"]);
    expect(v3.state.onlineEmails(30_001)).toEqual([]);
  });

  it("resets one client's counters; v2.9.4 leaves a depleted client off in its settings, v2.6.8 and v3.6.0 revive it", async () => {
    for (const [version, revived] of [["2.6.8", true], ["2.9.4", false], ["3.6.0", true]] as const) {
      const panel = await sim(version);
      const client = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 1000 });
      await client.updateClient(1, "seed-vless", { totalBytes: 100 });
      panel.state.recordTraffic("seed-vless", 0, 200);
      panel.state.resetTraffic("seed-vless");
      expect(row(panel, "seed-vless")).toMatchObject({ up: 0, down: 0, allTime: 200, enable: true });
      expect(panel.state.flow("seed-vless", 0, 1)).toBe(revived);
    }
  });
});

describe("listClientTraffic", () => {
  it.each([
    ["2.6.0", ["GET /panel/api/inbounds/list"]],
    ["2.9.4", ["GET /panel/api/inbounds/list"]],
    ["3.6.0", ["GET /panel/api/inbounds/get/1", "GET /panel/api/inbounds/get/2"]],
  ])("v%s: reads two inbounds' counters with %o", async (version, calls) => {
    const panel = await sim(version);
    const proxy = await startFaultProxy(panel.url);
    cleanups.push(() => proxy.close());
    const client = createPanelClient({ baseUrl: proxy.url, username: panel.username, password: panel.password, timeoutMs: 1000 });
    await client.detect();
    await client.listInbounds();
    panel.state.recordTraffic("seed-vless", 1, 2);
    panel.state.recordTraffic("seed-vmess", 3, 4);
    const before = proxy.log.length;
    const rows = await client.listClientTraffic([1, 2]);
    expect(rows.map((r) => [r.email, r.inboundId, r.up, r.down])).toEqual([
      ["seed-vless", 1, 1, 2],
      ["seed-vmess", 2, 3, 4],
    ]);
    expect(proxy.log.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual(calls);
  });
});
