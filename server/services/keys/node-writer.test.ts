import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes, type Node } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createPanelQueue } from "@/server/x3ui/panel-queue";
import { NodeBusyError, withNodeWriter, writerHolds, WriterLostError } from "./node-writer";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

let inbounds = 0;
async function newNode(): Promise<Node> {
  const [node] = await test.db
    .insert(nodes)
    // A panel inbound is one node: each test node gets its own.
    .values({ name: `lease-${crypto.randomUUID()}`, panelUrl: "http://127.0.0.1:1/", inboundId: ++inbounds })
    .returning();
  return node!;
}

/** What another replica's withNodeWriter leaves in the row while it works (or after it died). */
async function holdAsOtherReplica(nodeId: string, seconds: number) {
  await test.db
    .update(nodes)
    .set({ mutationLeaseOwner: "other-replica", mutationLeaseUntil: sql`now() + make_interval(secs => ${seconds})`, mutationFence: sql`${nodes.mutationFence} + 1` })
    .where(eq(nodes.id, nodeId));
}

async function leaseOf(nodeId: string) {
  const [row] = await test.db.select({ owner: nodes.mutationLeaseOwner, until: nodes.mutationLeaseUntil }).from(nodes).where(eq(nodes.id, nodeId));
  return row!;
}

/** Another replica: its own in-process queue over the same database. */
const replica = (writer: Parameters<typeof withNodeWriter>[0]["writer"] = {}) => ({ db: test.db, writer: { queue: createPanelQueue(), ...writer } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("one writer per panel across replicas (invariant 7)", () => {
  it("does not touch a panel while another replica holds its lease, and says so when tired of waiting", async () => {
    const node = await newNode();
    await holdAsOtherReplica(node.id, 30);
    let ran = false;
    const error = await withNodeWriter(replica({ waitMs: 300 }), node.id, async () => (ran = true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeBusyError);
    expect(ran).toBe(false);
    expect((await leaseOf(node.id)).owner).toBe("other-replica");
  });

  it("goes ahead as soon as the other replica releases its lease", async () => {
    const node = await newNode();
    await holdAsOtherReplica(node.id, 30);
    const owners: (string | null)[] = [];
    let pauses = 0;
    // The other replica finishes while we wait: our first attempt found its lease, the next one finds none.
    const pause = async () => {
      pauses += 1;
      if (pauses === 1) await test.db.update(nodes).set({ mutationLeaseOwner: null, mutationLeaseUntil: null }).where(eq(nodes.id, node.id));
    };
    await withNodeWriter(replica({ waitMs: 60_000, pause }), node.id, async () => void owners.push((await leaseOf(node.id)).owner));
    expect(pauses).toBe(1);
    expect(owners[0]).toMatch(/.+:\d+:.+/);
    expect(owners[0]).not.toBe("other-replica");
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
  });

  it("a replica that died holding the lease (default lease) blocks the node for less than 5 s", async () => {
    const node = await newNode();
    // What a crashed holder leaves: a lease just taken for the default 3 s, never renewed nor released.
    await holdAsOtherReplica(node.id, 3);
    const started = performance.now();
    expect(await withNodeWriter(replica(), node.id, async () => "done")).toBe("done");
    const waitedMs = performance.now() - started;
    expect(waitedMs).toBeGreaterThan(2_000);
    expect(waitedMs).toBeLessThan(5_000);
  });

  it("a live holder keeps the lease through work that outlasts it: the heartbeat renews it", async () => {
    const node = await newNode();
    const spans: [string, number, number][] = [];
    const slow = withNodeWriter(replica({ ttlMs: 300 }), node.id, async (writer) => {
      const start = performance.now();
      await sleep(1_200);
      writer.assertHeld();
      spans.push(["slow", start, performance.now()]);
    });
    await sleep(50);
    const other = withNodeWriter(replica({ ttlMs: 300, waitMs: 5_000 }), node.id, async () => {
      spans.push(["other", performance.now(), performance.now()]);
    });
    await Promise.all([slow, other]);
    const [first, second] = spans;
    expect(first?.[0]).toBe("slow");
    expect(second?.[1]).toBeGreaterThanOrEqual(first![2]);
  });

  it("fencing: a writer whose lease was taken over commits nothing and stops touching the panel", async () => {
    const node = await newNode();
    const result = await withNodeWriter(replica({ ttlMs: 300 }), node.id, async (writer) => {
      // Another replica takes the node over (as it may once a lease lapses): the fence moves on.
      await holdAsOtherReplica(node.id, 30);
      const committed = await test.db.update(nodes).set({ lastError: "written by a stale writer" }).where(and(eq(nodes.id, node.id), writerHolds(writer))).returning({ id: nodes.id });
      await sleep(250);
      const stopped = (() => {
        try {
          writer.assertHeld();
          return false;
        } catch (e) {
          return e instanceof WriterLostError;
        }
      })();
      return { committed: committed.length, stopped };
    });
    expect(result).toEqual({ committed: 0, stopped: true });
    // Its release does not free the lease it no longer holds.
    expect((await leaseOf(node.id)).owner).toBe("other-replica");
  });

  it("releases the lease after the work, also when the work fails", async () => {
    const node = await newNode();
    await withNodeWriter(replica(), node.id, async () => undefined);
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
    await expect(
      withNodeWriter(replica(), node.id, async () => {
        throw new Error("panel said no");
      }),
    ).rejects.toThrow("panel said no");
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
  });
});
