import { describe, expect, it } from "vitest";

import { createPanelClient } from "./client";
import { pendingQueueKeys, runExclusive } from "./panel-queue";
import { startSimulator } from "./simulator";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("runExclusive", () => {
  it("runs one task at a time per key, in call order", async () => {
    const events: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const task = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      await tick();
      events.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(["a", "b", "c"].map((n) => runExclusive("node-1", task(n))));
    expect(results).toEqual(["a", "b", "c"]);
    expect(maxRunning).toBe(1);
    expect(events).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  });

  it("runs different keys concurrently", async () => {
    let running = 0;
    let maxRunning = 0;
    const task = async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await tick();
      running -= 1;
    };
    await Promise.all([runExclusive("x", task), runExclusive("y", task)]);
    expect(maxRunning).toBe(2);
  });

  it("keeps going after a failure and passes the error to its caller only", async () => {
    const failed = runExclusive("node-2", () => Promise.reject(new Error("boom")));
    const next = runExclusive("node-2", async () => "after");
    await expect(failed).rejects.toThrow("boom");
    await expect(next).resolves.toBe("after");
  });

  it("forgets a key once its queue is empty", async () => {
    await runExclusive("node-3", async () => undefined);
    await tick();
    expect(pendingQueueKeys()).not.toContain("node-3");
  });

  it("keeps concurrent adds on a lock-free v2 panel from losing clients", async () => {
    const panel = await startSimulator({ version: "2.8.11" });
    try {
      panel.faults.addRaceWindowMs = 20;
      const client = createPanelClient({ baseUrl: panel.url, username: panel.username, password: panel.password, timeoutMs: 5000 });
      await client.detect();
      const add = (prefix: string, i: number) =>
        client.addClient(1, { email: `${prefix}-${i}`, id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}` });
      const landed = (prefix: string) => panel.state.clients(1).filter((c) => String(c.email).startsWith(`${prefix}-`)).length;

      await Promise.all(Array.from({ length: 10 }, (_, i) => add("bare", i)));
      expect(landed("bare")).toBeLessThan(10);

      await Promise.all(Array.from({ length: 10 }, (_, i) => runExclusive("sim", () => add("queued", i + 100))));
      expect(landed("queued")).toBe(10);
    } finally {
      await panel.close();
    }
  });
});
