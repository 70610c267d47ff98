/** The app's tRPC router: one sub-router per domain, each thin over server/services. */
import { accountRouter } from "./routers/account";
import { adminsRouter } from "./routers/admins";
import { adoptionRouter } from "./routers/adoption";
import { auditRouter } from "./routers/audit";
import { healthRouter } from "./routers/health";
import { nodesRouter } from "./routers/nodes";
import { operationsRouter } from "./routers/operations";
import { reconcileRouter } from "./routers/reconcile";
import { statsRouter } from "./routers/stats";
import { usersRouter } from "./routers/users";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  account: accountRouter,
  admins: adminsRouter,
  adoption: adoptionRouter,
  audit: auditRouter,
  health: healthRouter,
  nodes: nodesRouter,
  stats: statsRouter,
  users: usersRouter,
  reconcile: reconcileRouter,
  operations: operationsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
