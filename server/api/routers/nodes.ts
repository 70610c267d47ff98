/** Node management: viewers read, admins change. Nothing here returns a credential (NodeView). */
import { z } from "zod";
import { nodeDeps } from "@/server/composition/service-deps";
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
  list: viewerProcedure.query(({ ctx }) => listNodes(nodeDeps(ctx.app))),
  get: viewerProcedure.input(byId).query(({ ctx, input }) => getNode(nodeDeps(ctx.app), input)),
  create: adminProcedure.input(createNodeInputSchema).mutation(({ ctx, input }) => createNode(nodeDeps(ctx.app), ctx.actor, input)),
  update: adminProcedure.input(updateNodeInputSchema).mutation(({ ctx, input }) => updateNode(nodeDeps(ctx.app), ctx.actor, input)),
  delete: adminProcedure.input(byId).mutation(({ ctx, input }) => deleteNode(ctx.app, ctx.actor, input)),
  setAdminState: adminProcedure
    .input(setNodeAdminStateInputSchema)
    .mutation(({ ctx, input }) => setNodeAdminState(nodeDeps(ctx.app), ctx.actor, input)),
  testConnection: adminProcedure
    .input(testConnectionInputSchema)
    .mutation(({ ctx, input }) => testConnection(nodeDeps(ctx.app), ctx.actor, input)),
});
