import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { newLeaseOwner } from "./lease-owner";

describe("newLeaseOwner", () => {
  it("names this host and process, and differs for every holder inside it", () => {
    const owners = new Set(Array.from({ length: 100 }, () => newLeaseOwner()));
    expect(owners.size).toBe(100);
    for (const owner of owners) expect(owner.startsWith(`${hostname()}:${process.pid}:`)).toBe(true);
  });
});
