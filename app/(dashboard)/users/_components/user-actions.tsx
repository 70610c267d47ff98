"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { ArrowRightLeftIcon, EllipsisIcon, InfoIcon, RefreshCwIcon, Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { PlacementReasonView } from "@/components/users/placement-reason";
import { QrCode } from "@/components/users/qr-code";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Select } from "@/components/ui/select";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuSeparator, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";

type UserRow = RouterOutputs["users"]["search"]["rows"][number];

/** A user's details (key, subscription, QR codes, placement reason) and, for admins, refresh and revoke. */
export function UserActions({ user, canManage }: { user: UserRow; canManage: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [dialog, setDialog] = useState<"details" | "move" | "refresh" | "revoke" | null>(null);
  const [target, setTarget] = useState("");
  const nodes = useQuery(trpc.nodes.list.queryOptions(undefined, { enabled: dialog === "move" }));
  const move = useMutation(trpc.operations.migrateUser.mutationOptions());
  const refresh = useMutation(trpc.users.refreshKey.mutationOptions());
  const revoke = useMutation(trpc.users.revokeKey.mutationOptions());
  const who = user.username ? `@${user.username}` : String(user.telegramId);
  const close = (open: boolean) => !open && setDialog(null);
  const run = async (action: () => Promise<unknown>, done: string) => {
    try {
      await action();
    } catch (error) {
      toast.error((error as Error).message);
      throw error;
    }
    toast.success(done);
    router.refresh();
  };

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger variant="ghost" size="icon-sm" aria-label={`Actions for ${who}`}>
          <EllipsisIcon aria-hidden />
        </DropdownMenuTrigger>
        <DropdownMenuContent>
          <DropdownMenuItem onSelect={() => setDialog("details")}>
            <InfoIcon aria-hidden /> Key, QR and placement
          </DropdownMenuItem>
          {canManage && user.assignment ? (
            <>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={() => setDialog("move")}>
                <ArrowRightLeftIcon aria-hidden /> Move to a node
              </DropdownMenuItem>
              <DropdownMenuItem onSelect={() => setDialog("refresh")}>
                <RefreshCwIcon aria-hidden /> Refresh key
              </DropdownMenuItem>
              <DropdownMenuItem variant="destructive" onSelect={() => setDialog("revoke")}>
                <Trash2Icon aria-hidden /> Revoke key
              </DropdownMenuItem>
            </>
          ) : null}
        </DropdownMenuContent>
      </DropdownMenu>

      <Dialog open={dialog === "details"} onOpenChange={close}>
        <DialogContent className="max-w-2xl">
          <DialogHeader>
            <DialogTitle>{who}</DialogTitle>
            <DialogDescription>
              Telegram id {user.telegramId} · {user.node ? `on ${user.node.name}` : "no key"}
            </DialogDescription>
          </DialogHeader>
          <div className="grid gap-6 sm:grid-cols-2">
            <figure className="grid justify-items-center gap-2">
              <QrCode value={user.subscriptionUrl} label={`Subscription QR code for ${who}`} />
              <figcaption className="text-xs text-muted-foreground">Subscription (stays the same when the user moves)</figcaption>
              <CopyButton value={user.subscriptionUrl} label="Copy subscription URL" />
            </figure>
            {user.assignment?.key ? (
              <figure className="grid justify-items-center gap-2">
                <QrCode value={user.assignment.key} label={`Key QR code for ${who}`} />
                <figcaption className="text-xs text-muted-foreground">Key on {user.node?.name}</figcaption>
                <CopyButton value={user.assignment.key} label="Copy key" />
              </figure>
            ) : null}
          </div>
          <section className="grid min-w-0 grid-cols-[minmax(0,1fr)] gap-2">
            <h3 className="text-sm font-semibold">Why this node</h3>
            <PlacementReasonView reason={user.assignment?.placementReason ?? null} />
          </section>
        </DialogContent>
      </Dialog>

      <ConfirmDialog
        open={dialog === "move"}
        onOpenChange={close}
        title={`Move ${who}`}
        description="The user gets a client on the target node first, then the old one is removed; the subscription URL keeps working and the bot is told the new key. A full or unhealthy target is refused."
        confirmLabel="Move"
        onConfirm={() =>
          run(async () => {
            const result = await move.mutateAsync({ telegramId: user.telegramId, toNodeId: target || undefined });
            if (result.outcome.status !== "succeeded") throw new Error(`Not moved: ${result.outcome.detail}`);
          }, `${who} moved`)
        }
      >
        <FormField label="Target node" description="Leave on “best node” to let the balancer choose, as for a new key.">
          <Select value={target} onChange={(e) => setTarget(e.target.value)}>
            <option value="">Best node (balancer)</option>
            {(nodes.data ?? [])
              .filter((n) => n.id !== user.node?.id)
              .map((n) => (
                <option key={n.id} value={n.id}>
                  {n.name} · {n.healthState} · {n.reservedCount}/{n.maxUsers}
                  {n.adminState === "active" ? "" : ` · ${n.adminState}`}
                </option>
              ))}
          </Select>
        </FormField>
      </ConfirmDialog>
      <ConfirmDialog
        open={dialog === "refresh"}
        onOpenChange={close}
        title={`Refresh the key of ${who}?`}
        description="A new client is created on the best node and the old one is removed: the old key stops working, the subscription URL keeps working and picks up the new key."
        confirmLabel="Refresh key"
        onConfirm={() => run(() => refresh.mutateAsync({ telegramId: user.telegramId }), `New key issued for ${who}`)}
      />
      <ConfirmDialog
        open={dialog === "revoke"}
        onOpenChange={close}
        variant="destructive"
        title={`Revoke the key of ${who}?`}
        description="The client is removed from its panel and the user has no key until the bot asks for one again. The subscription URL stops returning a key."
        confirmLabel="Revoke key"
        onConfirm={() => run(() => revoke.mutateAsync({ telegramId: user.telegramId }), `Key of ${who} revoked`)}
      />
    </>
  );
}
