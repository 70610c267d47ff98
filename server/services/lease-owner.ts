/**
 * The owner written into a lease column (health-check claims, node mutation leases, operation
 * leases): host and pid, so an operator reading the row sees which replica holds it, and a random
 * part, so two holders inside one process never release each other's lease.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";

export function newLeaseOwner(): string {
  return `${hostname()}:${process.pid}:${randomUUID()}`;
}
