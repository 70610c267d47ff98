import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes, type Node } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { NodeBusyError, withNodeMutation } from "./node-mutation";

let test: TestDatabase;
let created = 0;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

async function newNode(): Promise<Node> {
  const [node] = await test.db
    .insert(nodes)
    .values({ name: `lease-${crypto.randomUUID()}`, panelUrl: `http://127.0.0.1:${++created}/`, inboundId: 1 })
    .returning();
  return node!;
}

/** What another replica's withNodeMutation leaves in the row while it works. */
async function holdAsOtherReplica(nodeId: string, seconds: number) {
  await test.db
    .update(nodes)
    .set({ mutationLeaseOwner: "other-replica", mutationLeaseUntil: sql`now() + make_interval(secs => ${seconds})` })
    .where(eq(nodes.id, nodeId));
}

async function leaseOf(nodeId: string) {
  const [row] = await test.db.select({ owner: nodes.mutationLeaseOwner, until: nodes.mutationLeaseUntil }).from(nodes).where(eq(nodes.id, nodeId));
  return row!;
}

describe("one writer per panel across replicas (invariant 7)", () => {
  it("does not touch a panel while another replica holds its lease, and says so when tired of waiting", async () => {
    const node = await newNode();
    await holdAsOtherReplica(node.id, 30);
    let ran = false;
    const error = await withNodeMutation(test.db, node.id, async () => (ran = true), { waitMs: 300 }).catch((e: unknown) => e);
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
    await withNodeMutation(test.db, node.id, async () => void owners.push((await leaseOf(node.id)).owner), { waitMs: 60_000, pause });
    expect(pauses).toBe(1);
    expect(owners).toHaveLength(1);
    expect(owners[0]).toMatch(/.+:\d+:.+/);
    expect(owners[0]).not.toBe("other-replica");
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
  });

  it("takes over the expired lease of a replica that died mid-call", async () => {
    const node = await newNode();
    await holdAsOtherReplica(node.id, -5);
    expect(await withNodeMutation(test.db, node.id, async () => "done", { waitMs: 100 })).toBe("done");
  });

  it("releases the lease after the work, also when the work fails", async () => {
    const node = await newNode();
    await withNodeMutation(test.db, node.id, async () => undefined);
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
    await expect(
      withNodeMutation(test.db, node.id, async () => {
        throw new Error("panel said no");
      }),
    ).rejects.toThrow("panel said no");
    expect(await leaseOf(node.id)).toEqual({ owner: null, until: null });
  });
});
