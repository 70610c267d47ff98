"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { EllipsisIcon, PauseIcon, PencilIcon, PlayIcon, PowerIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuLabel, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { movingCount, NodeChangeImpact, useNodeChangePreview, type NodeChange } from "./node-change-impact";
import { NodeFormDialog } from "./node-form-dialog";

type NodeSummary = { id: string; name: string; adminState: "active" | "draining" | "disabled"; users: number };

/** Edit, drain / return to service, enable / disable and delete for one node; rendered only for admins. */
type NodeActionsProps = {
  node: NodeSummary;
  variant?: "menu" | "buttons";
  /** Where to go once the node is deleted (its own page no longer exists). */
  afterDeleteHref?: string;
};

/** The state changes a node in this state offers, in menu order: each asks first, naming what it does to users. */
const CHANGES: Record<NodeSummary["adminState"], readonly NodeChange[]> = {
  active: ["drain", "disable"],
  draining: ["returnToService", "disable"],
  disabled: ["enable"],
};

const CHANGE_ICON = { drain: PauseIcon, returnToService: PlayIcon, disable: PowerIcon, enable: PowerIcon } as const;

export function NodeActions({ node, variant = "menu", afterDeleteHref }: NodeActionsProps) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [isEditing, setIsEditing] = useState(false);
  const [isDeleting, setIsDeleting] = useState(false);
  const [change, setChange] = useState<NodeChange | null>(null);
  const hasUsers = node.users > 0;
  const preview = useNodeChangePreview(node.id, change ?? (isDeleting && hasUsers ? "drain" : null));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() });
    router.refresh();
  };
  const onError = (error: unknown) => toast.error(errorMessageOf(error, t));
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
  const returnToService = useMutation(
    trpc.operations.returnToService.mutationOptions({
      onSuccess: () => {
        toast.success(t("nodeActions.undrainedToast", { node: node.name }));
        refresh();
      },
      onError,
    }),
  );
  const remove = useMutation(trpc.nodes.delete.mutationOptions());

  const run: Record<NodeChange, () => Promise<unknown>> = {
    drain: () => drain.mutateAsync({ nodeId: node.id }),
    returnToService: () => returnToService.mutateAsync({ nodeId: node.id }),
    disable: () => setState.mutateAsync({ id: node.id, adminState: "disabled" }),
    enable: () => setState.mutateAsync({ id: node.id, adminState: "active" }),
  };
  const changes = CHANGES[node.adminState];
  const moving = movingCount(preview.data);

  return (
    <>
      {variant === "menu" ? (
        <DropdownMenu>
          <DropdownMenuTrigger variant="ghost" size="icon-sm" aria-label={t("common.actionsFor", { name: node.name })}>
            <EllipsisIcon aria-hidden />
          </DropdownMenuTrigger>
          <DropdownMenuContent>
            {/* On a phone the menu covers the row: it says which node it acts on. */}
            <DropdownMenuLabel>{node.name}</DropdownMenuLabel>
            <DropdownMenuItem onSelect={() => setIsEditing(true)}>
              <PencilIcon aria-hidden /> {t("common.edit")}
            </DropdownMenuItem>
            {changes.map((c) => {
              const Icon = CHANGE_ICON[c];
              return (
                <DropdownMenuItem key={c} onSelect={() => setChange(c)}>
                  <Icon aria-hidden /> {t(`nodeChange.${c}.action`)}
                </DropdownMenuItem>
              );
            })}
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
          {changes.map((c) => {
            const Icon = CHANGE_ICON[c];
            return (
              <Button key={c} variant="outline" onClick={() => setChange(c)}>
                <Icon aria-hidden /> {t(`nodeChange.${c}.action`)}
              </Button>
            );
          })}
          <Button variant="outline" className="text-destructive" onClick={() => setIsDeleting(true)}>
            <Trash2Icon aria-hidden /> {t("common.delete")}
          </Button>
        </div>
      )}
      {isEditing ? <NodeFormDialog open onOpenChange={setIsEditing} nodeId={node.id} /> : null}
      <ConfirmDialog
        open={change !== null}
        onOpenChange={(open) => {
          if (!open) setChange(null);
        }}
        variant={change === "disable" ? "destructive" : "default"}
        title={change ? t(`nodeChange.${change}.title`, { node: node.name }) : ""}
        description={change ? t(`nodeChange.${change}.description`, { node: node.name }) : ""}
        confirmLabel={
          change === "drain" && moving > 0
            ? t("nodeChange.drain.confirmMoving", { count: moving })
            : change
              ? t(`nodeChange.${change}.confirm`, { node: node.name })
              : undefined
        }
        isConfirmDisabled={!preview.data}
        onConfirm={change ? run[change] : () => undefined}
      >
        <NodeChangeImpact preview={preview.data} isError={preview.isError} />
      </ConfirmDialog>
      <ConfirmDialog
        open={isDeleting}
        onOpenChange={setIsDeleting}
        variant={hasUsers ? "default" : "destructive"}
        title={hasUsers ? t("nodeActions.holdsUsers", { node: node.name, count: node.users }) : t("nodeActions.deleteTitle", { node: node.name })}
        description={t(hasUsers ? "nodeActions.holdsUsersDescription" : "nodeActions.deleteDescription")}
        confirmationText={hasUsers ? undefined : node.name}
        confirmLabel={t(hasUsers ? "nodeActions.drainThenDelete" : "nodeActions.deleteConfirm")}
        isConfirmDisabled={hasUsers && !preview.data}
        onConfirm={async () => {
          if (hasUsers) {
            await drain.mutateAsync({ nodeId: node.id, deleteWhenEmpty: true });
            return;
          }
          try {
            await remove.mutateAsync({ id: node.id });
          } catch (error) {
            toast.error(errorMessageOf(error, t));
            throw error;
          }
          toast.success(t("nodeActions.deletedToast", { node: node.name }));
          if (afterDeleteHref) router.push(afterDeleteHref);
          else refresh();
        }}
      >
        {hasUsers ? <NodeChangeImpact preview={preview.data} isError={preview.isError} /> : null}
      </ConfirmDialog>
    </>
  );
}
