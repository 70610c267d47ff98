/** The app's tRPC router: one sub-router per domain, each thin over server/services. */
import { adminsRouter } from "./routers/admins";
import { createCallerFactory, router } from "./trpc";

export const appRouter = router({
  admins: adminsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
