"use client";

import { useMutation } from "@tanstack/react-query";
import { PlusIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { errorMessageOf, fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { renderText } from "@/components/i18n/message-ref";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { NodeOptions, type NodeOption } from "./node-options";
import { planErrorsOf, planOf, PlanFields, type PlanDraft, type PlanErrors } from "./plan-fields";

const EMPTY_PLAN: PlanDraft = { expiresOn: "", limitGb: "", devices: "" };

/** Creates a VPN user with a plan and their first key, on the balancer's node or the one picked. */
export function CreateUserButton({ nodes }: { nodes: NodeOption[] }) {
  const t = useT();
  const trpc = useTRPC();
  const router = useRouter();
  const create = useMutation(trpc.users.create.mutationOptions());
  const [open, setOpen] = useState(false);
  const [telegramId, setTelegramId] = useState("");
  const [username, setUsername] = useState("");
  const [nodeId, setNodeId] = useState("");
  const [plan, setPlan] = useState<PlanDraft>(EMPTY_PLAN);
  const [errors, setErrors] = useState<PlanErrors & { telegramId?: string; nodeId?: string; username?: string }>({});

  const reset = () => {
    setTelegramId("");
    setUsername("");
    setNodeId("");
    setPlan(EMPTY_PLAN);
    setErrors({});
  };
  const submit = async () => {
    const id = Number(telegramId);
    const parsed = planOf(plan, t);
    const local = {
      ...("errors" in parsed ? parsed.errors : {}),
      ...(Number.isSafeInteger(id) && id > 0 ? {} : { telegramId: t("planForm.wholeNumber") }),
    };
    setErrors(local);
    if (Object.keys(local).length > 0 || "errors" in parsed) throw new Error(t("planForm.invalid"));
    try {
      const result = await create.mutateAsync({ telegramId: id, username: username || null, nodeId: nodeId || undefined, ...parsed.value });
      if (result.keyError) toast.warning(t("createUser.noKey", { user: id, reason: renderText(t, result.keyError) ?? "" }));
      else toast.success(t("createUser.createdToast", { user: id, node: result.node?.name ?? "" }));
      router.refresh();
    } catch (error) {
      const fields = fieldErrorsOf(error);
      setErrors({ ...planErrorsOf(fields), telegramId: fields.telegramId, nodeId: fields.nodeId, username: fields.username });
      toast.error(errorMessageOf(error, t));
      throw error;
    }
  };

  return (
    <>
      <Button
        onClick={() => {
          reset();
          setOpen(true);
        }}
      >
        <PlusIcon aria-hidden /> {t("createUser.button")}
      </Button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={t("createUser.title")}
        description={t("createUser.description")}
        confirmLabel={t("createUser.confirm")}
        onConfirm={submit}
      >
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("common.telegramId")} error={errors.telegramId} required>
            <Input inputMode="numeric" value={telegramId} onChange={(e) => setTelegramId(e.target.value.trim())} />
          </FormField>
          <FormField label={t("common.username")} error={errors.username}>
            <Input value={username} onChange={(e) => setUsername(e.target.value)} placeholder="@username" />
          </FormField>
          <FormField label={t("common.node")} description={t("createUser.nodeHint")} error={errors.nodeId} className="sm:col-span-2">
            <Select value={nodeId} onChange={(e) => setNodeId(e.target.value)}>
              <NodeOptions nodes={nodes} />
            </Select>
          </FormField>
        </div>
        <PlanFields draft={plan} onChange={setPlan} errors={errors} />
      </ConfirmDialog>
    </>
  );
}
