/** Node management: viewers read, admins change. Nothing here returns a credential (NodeView). */
import { z } from "zod";
import { appNodeDeps } from "@/server/services/nodes/app-node-deps";
import { createNode } from "@/server/services/nodes/create-node";
import { deleteNode } from "@/server/services/nodes/delete-node";
import { getNode, listNodes } from "@/server/services/nodes/list-nodes";
import { createNodeInputSchema, updateNodeInputSchema } from "@/server/services/nodes/node-input";
import { setNodeAdminState, setNodeAdminStateInputSchema } from "@/server/services/nodes/set-node-admin-state";
import { testConnection, testConnectionInputSchema } from "@/server/services/nodes/test-connection";
import { updateNode } from "@/server/services/nodes/update-node";
import { adminProcedure, router, viewerProcedure } from "../trpc";

const byId = z.object({ id: z.uuid() });

export const nodesRouter = router({
  list: viewerProcedure.query(({ ctx }) => listNodes(appNodeDeps(ctx.db))),
  get: viewerProcedure.input(byId).query(({ ctx, input }) => getNode(appNodeDeps(ctx.db), input)),
  create: adminProcedure.input(createNodeInputSchema).mutation(({ ctx, input }) => createNode(appNodeDeps(ctx.db), ctx.actor, input)),
  update: adminProcedure.input(updateNodeInputSchema).mutation(({ ctx, input }) => updateNode(appNodeDeps(ctx.db), ctx.actor, input)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteNode({ db: ctx.db }, ctx.actor, input)),
  setAdminState: adminProcedure
    .input(setNodeAdminStateInputSchema)
    .mutation(({ ctx, input }) => setNodeAdminState(appNodeDeps(ctx.db), ctx.actor, input)),
  testConnection: adminProcedure
    .input(testConnectionInputSchema)
    .mutation(({ ctx, input }) => testConnection(appNodeDeps(ctx.db), input)),
});
