"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { EllipsisIcon, PauseIcon, PencilIcon, PlayIcon, PowerIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { NodeFormDialog } from "./node-form-dialog";

type NodeSummary = { id: string; name: string; adminState: "active" | "draining" | "disabled"; users: number };

/** Edit, drain/undrain, enable/disable and delete for one node; rendered only for admins. */
type NodeActionsProps = {
  node: NodeSummary;
  variant?: "menu" | "buttons";
  /** Where to go once the node is deleted (its own page no longer exists). */
  afterDeleteHref?: string;
};

export function NodeActions({ node, variant = "menu", afterDeleteHref }: NodeActionsProps) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [isEditing, setIsEditing] = useState(false);
  const [isDeleting, setIsDeleting] = useState(false);
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() });
    router.refresh();
  };
  const onError = (e: { message: string }) => toast.error(e.message);
  const setState = useMutation(
    trpc.nodes.setAdminState.mutationOptions({
      onSuccess: (n) => {
        toast.success(t(n.adminState === "disabled" ? "nodeActions.disabledToast" : "nodeActions.enabledToast", { node: n.name }));
        refresh();
      },
      onError,
    }),
  );
  // Drain is an operation (it moves the users off in batches), not just a state change.
  const drain = useMutation(
    trpc.operations.drain.mutationOptions({
      onSuccess: (state) => {
        toast.success(
          state.operation?.total
            ? t("nodeActions.drainingToast", { node: node.name, count: state.operation.total })
            : t("nodeActions.drainingEmptyToast", { node: node.name }),
        );
        refresh();
      },
      onError,
    }),
  );
  const undrain = useMutation(
    trpc.operations.undrain.mutationOptions({
      onSuccess: () => {
        toast.success(t("nodeActions.undrainedToast", { node: node.name }));
        refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(trpc.nodes.delete.mutationOptions());

  const drainLabel = t(node.adminState === "draining" ? "nodeActions.undrain" : "nodeActions.drain");
  const toggleDrain = () => (node.adminState === "draining" ? undrain.mutate({ nodeId: node.id }) : drain.mutate({ nodeId: node.id }));
  const toggleEnabled = () => setState.mutate({ id: node.id, adminState: node.adminState === "disabled" ? "active" : "disabled" });
  const hasUsers = node.users > 0;

  return (
    <>
      {variant === "menu" ? (
        <DropdownMenu>
          <DropdownMenuTrigger variant="ghost" size="icon-sm" aria-label={t("common.actionsFor", { name: node.name })}>
            <EllipsisIcon aria-hidden />
          </DropdownMenuTrigger>
          <DropdownMenuContent>
            <DropdownMenuItem onSelect={() => setIsEditing(true)}>
              <PencilIcon aria-hidden /> {t("common.edit")}
            </DropdownMenuItem>
            {node.adminState !== "disabled" ? (
              <DropdownMenuItem onSelect={toggleDrain}>
                {node.adminState === "draining" ? <PlayIcon aria-hidden /> : <PauseIcon aria-hidden />} {drainLabel}
              </DropdownMenuItem>
            ) : null}
            <DropdownMenuItem onSelect={toggleEnabled}>
              <PowerIcon aria-hidden /> {t(node.adminState === "disabled" ? "common.enable" : "common.disable")}
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem variant="destructive" onSelect={() => setIsDeleting(true)}>
              <Trash2Icon aria-hidden /> {t("common.delete")}
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      ) : (
        // The page header keeps its actions on one line; capping the width lets the longer Russian labels wrap on phones.
        <div className="flex max-w-[calc(100vw-2rem)] flex-wrap gap-2">
          <Button variant="outline" onClick={() => setIsEditing(true)}>
            <PencilIcon aria-hidden /> {t("common.edit")}
          </Button>
          {node.adminState !== "disabled" ? (
            <Button variant="outline" onClick={toggleDrain} disabled={drain.isPending || undrain.isPending}>
              {node.adminState === "draining" ? <PlayIcon aria-hidden /> : <PauseIcon aria-hidden />} {drainLabel}
            </Button>
          ) : null}
          <Button variant="outline" onClick={toggleEnabled} disabled={setState.isPending}>
            <PowerIcon aria-hidden /> {t(node.adminState === "disabled" ? "common.enable" : "common.disable")}
          </Button>
          <Button variant="outline" className="text-destructive" onClick={() => setIsDeleting(true)}>
            <Trash2Icon aria-hidden /> {t("common.delete")}
          </Button>
        </div>
      )}
      {isEditing ? <NodeFormDialog open onOpenChange={setIsEditing} nodeId={node.id} /> : null}
      <ConfirmDialog
        open={isDeleting}
        onOpenChange={setIsDeleting}
        variant={hasUsers ? "default" : "destructive"}
        title={hasUsers ? t("nodeActions.holdsUsers", { node: node.name, count: node.users }) : t("nodeActions.deleteTitle", { node: node.name })}
        description={t(hasUsers ? "nodeActions.holdsUsersDescription" : "nodeActions.deleteDescription")}
        confirmationText={hasUsers ? undefined : node.name}
        confirmLabel={t(hasUsers ? "nodeActions.drainThenDelete" : "nodeActions.deleteConfirm")}
        onConfirm={async () => {
          if (hasUsers) {
            await drain.mutateAsync({ nodeId: node.id, deleteWhenEmpty: true });
            return;
          }
          try {
            await remove.mutateAsync({ id: node.id });
          } catch (error) {
            toast.error((error as Error).message);
            throw error;
          }
          toast.success(t("nodeActions.deletedToast", { node: node.name }));
          if (afterDeleteHref) router.push(afterDeleteHref);
          else refresh();
        }}
      />
    </>
  );
}
