import { describe, expect, it } from "vitest";
import { rankNodes, scoreNode, type NodeLoad } from "./score-nodes";

function node(name: string, over: Partial<NodeLoad> = {}): NodeLoad {
  return {
    id: `id-${name}`,
    name,
    location: null,
    maxUsers: 100,
    reservedCount: 0,
    priority: 100,
    weight: 1,
    adminState: "active",
    healthState: "healthy",
    needsReconcile: false,
    inboundProtocol: "vless",
    ...over,
  };
}

const names = (nodes: NodeLoad[], preference = {}) => rankNodes(nodes, preference).candidates.map((c) => c.name);

describe("scoreNode", () => {
  // [reserved, max, priority, weight, score]
  const table: [number, number, number, number, number][] = [
    [0, 100, 100, 1, 0],
    [50, 100, 100, 1, 0.5],
    [50, 100, 200, 1, 0.25], // double priority looks half as loaded
    [50, 100, 100, 2, 0.25], // double weight likewise
    [50, 100, 50, 0.5, 2],
    [10, 10, 100, 1, 1],
    [0, 0, 100, 1, 1], // a node with no places scores as full
  ];
  it.each(table)("reserved %i of %i at priority %i weight %d scores %d", (reservedCount, maxUsers, priority, weight, score) => {
    expect(scoreNode({ reservedCount, maxUsers, priority, weight })).toBeCloseTo(score, 10);
  });
});

describe("rankNodes", () => {
  it("orders by score, lowest first", () => {
    expect(names([node("a", { reservedCount: 60 }), node("b", { reservedCount: 20 }), node("c", { reservedCount: 40, priority: 400 })])).toEqual([
      "c", // 0.4 / 4 = 0.1
      "b", // 0.2
      "a", // 0.6
    ]);
  });

  it("breaks ties by name, then id, whatever the input order", () => {
    const tied = [node("b"), node("a", { id: "z" }), node("a", { id: "y" })];
    const expected = ["y", "z", "id-b"];
    expect(rankNodes(tied).candidates.map((c) => c.nodeId)).toEqual(expected);
    expect(rankNodes([...tied].reverse()).candidates.map((c) => c.nodeId)).toEqual(expected);
  });

  it("excludes full, draining, disabled, reconcile-pending, unhealthy, unknown, auth_error and misconfigured nodes", () => {
    expect(
      names([
        node("ok"),
        node("full", { reservedCount: 100 }),
        node("draining", { adminState: "draining" }),
        node("disabled", { adminState: "disabled" }),
        node("dirty", { needsReconcile: true }),
        node("down", { healthState: "unhealthy" }),
        node("new", { healthState: "unknown" }),
        node("creds", { healthState: "auth_error" }),
        node("no-inbound", { healthState: "misconfigured" }),
      ]),
    ).toEqual(["ok"]);
  });

  it("uses degraded nodes only when no healthy node has room", () => {
    const degraded = node("d", { healthState: "degraded" });
    expect(rankNodes([node("h", { reservedCount: 99 }), degraded])).toMatchObject({ usedDegraded: false, candidates: [{ name: "h" }] });
    expect(rankNodes([node("h", { reservedCount: 100 }), degraded])).toMatchObject({ usedDegraded: true, candidates: [{ name: "d" }] });
  });

  it("prefers the requested location and falls back to others unless strict", () => {
    const fleet = [node("de", { location: "DE" }), node("nl", { location: "NL", reservedCount: 90 }), node("fi", { location: "FI", reservedCount: 10 })];
    expect(names(fleet, { location: "nl" })).toEqual(["nl", "de", "fi"]);
    expect(names(fleet, { location: "NL", strictLocation: true })).toEqual(["nl"]);
    expect(names(fleet, { location: "US" })).toEqual(["de", "fi", "nl"]);
    expect(names(fleet, { location: "US", strictLocation: true })).toEqual([]);
  });

  it("names a strict location no node is in, apart from one whose nodes are full, disabled or down", () => {
    const fleet = [node("de", { location: "DE" }), node("nl", { location: "NL", reservedCount: 100 }), node("fi", { location: "FI", adminState: "disabled" })];
    expect(rankNodes(fleet, { location: "Mars", strictLocation: true }).missingLocation).toEqual({ location: "Mars", known: ["DE", "FI", "NL"] });
    expect(rankNodes(fleet, { location: " nl ", strictLocation: true })).toMatchObject({ candidates: [], missingLocation: null });
    expect(rankNodes(fleet, { location: "fi", strictLocation: true })).toMatchObject({ candidates: [], missingLocation: null });
    expect(rankNodes(fleet, { location: "Mars" }).missingLocation).toBeNull();
    expect(rankNodes([node("x", { location: null })], { location: "Mars", strictLocation: true }).missingLocation).toEqual({ location: "Mars", known: [] });
  });

  it("judges health tiers within the allowed locations: a strict location with only degraded room uses it", () => {
    const fleet = [node("nl", { location: "NL", healthState: "degraded" }), node("de", { location: "DE" })];
    expect(rankNodes(fleet, { location: "NL", strictLocation: true })).toMatchObject({ usedDegraded: true, candidates: [{ name: "nl" }] });
    expect(names(fleet, { location: "NL" })).toEqual(["de"]);
  });

  it("records each candidate's load and score for the placement reason", () => {
    expect(rankNodes([node("a", { reservedCount: 25, weight: 2 })]).candidates[0]).toMatchObject({ load: 0.25, score: 0.125, healthState: "healthy" });
  });
});

describe("the key's protocol", () => {
  it("only nodes speaking it qualify, so a move never changes a key's scheme; a node not checked yet comes last", () => {
    const fleet = [node("vmess-empty", { inboundProtocol: "vmess" }), node("vless-busy", { reservedCount: 90 }), node("new", { inboundProtocol: null, reservedCount: 0 })];
    expect(names(fleet, { protocol: "vless" })).toEqual(["vless-busy", "new"]);
    expect(names(fleet, { protocol: "VMess" })).toEqual(["vmess-empty", "new"]);
    expect(names(fleet)).toEqual(["new", "vmess-empty", "vless-busy"]);
  });

  it("a strict location and the protocol together: nothing else, even with room elsewhere", () => {
    const fleet = [node("de-vmess", { location: "DE", inboundProtocol: "vmess" }), node("nl-vless", { location: "NL" }), node("de-vless", { location: "DE", reservedCount: 99 })];
    expect(names(fleet, { location: "de", strictLocation: true, protocol: "vless" })).toEqual(["de-vless"]);
    expect(names([fleet[0]!, fleet[1]!], { location: "de", strictLocation: true, protocol: "vless" })).toEqual([]);
    expect(names(fleet, { location: "de", protocol: "vless" })).toEqual(["de-vless", "nl-vless"]);
  });
});
