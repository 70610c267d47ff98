"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2Icon, Loader2Icon, PlugZapIcon, PowerOffIcon, XCircleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { appCodeOf, errorDetailsOf, errorMessageOf, fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterInputs, RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatInputNumber } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { renderMessage, type MessageRef } from "@/components/i18n/message-ref";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";

type NodeView = RouterOutputs["nodes"]["get"];
type TestResult = RouterOutputs["nodes"]["testConnection"];
type CreateInput = RouterInputs["nodes"]["create"];

type NodeFormDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** Edit this node; without it the dialog adds a new one. */
  nodeId?: string;
};

export function NodeFormDialog({ open, onOpenChange, nodeId }: NodeFormDialogProps) {
  const trpc = useTRPC();
  const t = useT();
  const existing = useQuery(trpc.nodes.get.queryOptions({ id: nodeId ?? "" }, { enabled: open && Boolean(nodeId) }));
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>{nodeId ? t("nodeForm.editTitle", { node: existing.data?.name ?? t("nodeForm.nodeFallback") }) : t("nodeForm.addTitle")}</DialogTitle>
          <DialogDescription>{t("nodeForm.description")}</DialogDescription>
        </DialogHeader>
        {nodeId && !existing.data ? (
          <Skeleton className="h-96 w-full" />
        ) : (
          <NodeForm key={existing.data?.id ?? "new"} node={existing.data} onDone={() => onOpenChange(false)} />
        )}
      </DialogContent>
    </Dialog>
  );
}

const text = (form: FormData, name: string) => String(form.get(name) ?? "").trim();
/** The fields a connection test depends on: changing one makes a failed test stale. */
const CONNECTION_FIELDS = new Set(["panelUrl", "panelUsername", "panelPassword", "panelApiToken", "tlsMode", "tlsPinSha256", "inboundId"]);

/** Why the panel inbound cannot serve, from a failed test: the panel's answer, or the chosen inbound's problem. */
function failureOf(result: TestResult): MessageRef | null {
  if (!result.ok) return result.reason;
  return result.inboundProblem;
}
/** Numbers typed into the form; a blank or non-number goes to the server as-is so its message shows beside the field. */
const numberOr = (value: string, blank: number | null | undefined) => (value === "" ? blank : Number.isFinite(Number(value)) ? Number(value) : (value as unknown as number));

function NodeForm({ node, onDone }: { node?: NodeView; onDone: () => void }) {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tlsMode, setTlsMode] = useState<string>(node?.tlsMode ?? "verify");
  const [inboundId, setInboundId] = useState<string>(node ? String(node.inboundId) : "");
  const [test, setTest] = useState<TestResult | null>(null);
  // A failed connection test (the button's, or the one every save runs): the only save left is a switched-off one.
  const [failure, setFailure] = useState<MessageRef | null>(null);

  const onError = (error: unknown) => {
    const fields = fieldErrorsOf(error);
    setErrors(fields);
    const connection = appCodeOf(error) === "CONNECTION_FAILED" ? (errorDetailsOf(error)?.connection as TestResult | undefined) : undefined;
    if (connection) {
      setTest(connection);
      setFailure(failureOf(connection));
    } else if (Object.keys(fields).length === 0) toast.error(errorMessageOf(error, t));
  };
  const onSaved = (saved: { name: string; adminState: string }) => {
    toast.success(t(saved.adminState === "disabled" ? "nodeForm.savedDisabledToast" : node ? "nodeForm.savedToast" : "nodeForm.addedToast", { node: saved.name }));
    void queryClient.invalidateQueries({ queryKey: trpc.nodes.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.stats.pathKey() });
    router.refresh();
    onDone();
  };
  const create = useMutation(trpc.nodes.create.mutationOptions({ onSuccess: onSaved, onError }));
  const update = useMutation(trpc.nodes.update.mutationOptions({ onSuccess: onSaved, onError }));
  const testConnection = useMutation(
    trpc.nodes.testConnection.mutationOptions({
      onSuccess: (result) => {
        setTest(result);
        setFailure(failureOf(result));
        setErrors({});
        if (result.ok && !result.inbounds.some((i) => String(i.id) === inboundId) && result.inbounds[0]) setInboundId(String(result.inbounds[0].id));
      },
      onError: (error) => {
        setTest(null);
        setFailure(null);
        onError(error);
      },
    }),
  );

  function read(form: FormData): CreateInput {
    return {
      name: text(form, "name"),
      location: text(form, "location") || null,
      panelUrl: text(form, "panelUrl"),
      panelUsername: text(form, "panelUsername") || null,
      panelPassword: String(form.get("panelPassword") ?? ""),
      panelApiToken: String(form.get("panelApiToken") ?? ""),
      inboundId: numberOr(inboundId, undefined) as number,
      publicHost: text(form, "publicHost") || null,
      publicPort: numberOr(text(form, "publicPort"), null),
      tlsMode: tlsMode as CreateInput["tlsMode"],
      tlsPinSha256: text(form, "tlsPinSha256") || null,
      maxUsers: numberOr(text(form, "maxUsers"), undefined) as number,
      standbyMaxUsers: numberOr(text(form, "standbyMaxUsers"), undefined) as number,
      priority: numberOr(text(form, "priority"), undefined) as number,
      weight: numberOr(text(form, "weight"), undefined) as number,
    };
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = { ...read(new FormData(event.currentTarget)), ...(failure ? { saveDisabled: true } : {}) };
    if (node) update.mutate({ id: node.id, ...input });
    else create.mutate(input);
  }

  function onFieldChange(event: FormEvent<HTMLFormElement>) {
    const name = (event.target as { name?: string }).name;
    if (failure && name && CONNECTION_FIELDS.has(name)) setFailure(null);
  }

  function runTest(form: HTMLFormElement | null) {
    if (!form) return;
    const input = read(new FormData(form));
    testConnection.mutate({
      nodeId: node?.id,
      panelUrl: input.panelUrl || undefined,
      panelUsername: input.panelUsername ?? undefined,
      panelPassword: input.panelPassword || undefined,
      panelApiToken: input.panelApiToken || undefined,
      tlsMode: input.tlsMode,
      tlsPinSha256: input.tlsPinSha256 ?? undefined,
    });
  }

  const isSaving = create.isPending || update.isPending;
  const inbounds = test?.ok ? test.inbounds : [];

  return (
    <form onSubmit={submit} onChange={onFieldChange} aria-label={t(node ? "nodeForm.editLabel" : "nodeForm.addLabel")} className="grid gap-4" noValidate>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <FormField label={t("nodeForm.name")} error={errors.name} required>
          <Input name="name" defaultValue={node?.name} autoComplete="off" placeholder="de-fra-1" />
        </FormField>
        <FormField label={t("nodeForm.location")} error={errors.location} description={t("nodeForm.locationHint")}>
          <Input name="location" defaultValue={node?.location ?? ""} placeholder={t("nodeForm.locationPlaceholder")} />
        </FormField>
      </div>
      <FormField label={t("nodeForm.panelUrl")} error={errors.panelUrl} required description={t("nodeForm.panelUrlHint")}>
        <Input name="panelUrl" type="url" defaultValue={node?.panelUrl} placeholder="https://panel.example.com:2053/path/" />
      </FormField>
      <div className="grid items-start gap-4 sm:grid-cols-3">
        <FormField label={t("nodeForm.panelUsername")} error={errors.panelUsername}>
          <Input name="panelUsername" defaultValue={node?.panelUsername ?? ""} autoComplete="off" />
        </FormField>
        <FormField label={t("nodeForm.panelPassword")} error={errors.panelPassword} description={node?.hasPassword ? t("nodeForm.stored") : undefined}>
          <Input name="panelPassword" type="password" autoComplete="new-password" />
        </FormField>
        <FormField label={t("nodeForm.apiToken")} error={errors.panelApiToken} description={t(node?.hasApiToken ? "nodeForm.stored" : "nodeForm.apiTokenHint")}>
          <Input name="panelApiToken" type="password" autoComplete="off" />
        </FormField>
      </div>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <FormField label={t("nodeForm.tls")} error={errors.tlsMode}>
          <Select name="tlsMode" value={tlsMode} onChange={(e) => setTlsMode(e.target.value)}>
            <option value="verify">{t("nodeForm.tls.verify")}</option>
            <option value="skip">{t("nodeForm.tls.skip")}</option>
            <option value="pin">{t("nodeForm.tls.pin")}</option>
          </Select>
        </FormField>
        {tlsMode === "pin" ? (
          <FormField label={t("nodeForm.tlsPin")} error={errors.tlsPinSha256} required>
            <Input name="tlsPinSha256" defaultValue={node?.tlsPinSha256 ?? ""} className="font-mono" />
          </FormField>
        ) : null}
      </div>

      <div className="grid gap-3 rounded-lg border bg-muted/30 p-4">
        <div className="flex flex-wrap items-center gap-3">
          <Button
            variant="outline"
            onClick={(e) => runTest((e.currentTarget as HTMLButtonElement).form)}
            disabled={testConnection.isPending}
          >
            {testConnection.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : <PlugZapIcon aria-hidden />}
            {t("nodeForm.testConnection")}
          </Button>
          <TestOutcome result={test} />
        </div>
        <FormField
          label={t("nodeForm.inbound")}
          error={errors.inboundId}
          required
          description={t(inbounds.length ? "nodeForm.inboundHint" : "nodeForm.inboundUntested")}
        >
          {inbounds.length ? (
            <Select name="inboundId" value={inboundId} onChange={(e) => setInboundId(e.target.value)}>
              {inbounds.map((i) => (
                <option key={i.id} value={i.id}>
                  #{i.id} {i.remark || t("nodeForm.noRemark")} · {i.protocol}:{i.port} · {t("nodeForm.inboundClients", { count: i.clientCount })}
                  {i.enable ? "" : t("nodeForm.inboundDisabled")}
                </option>
              ))}
            </Select>
          ) : (
            <Input name="inboundId" inputMode="numeric" value={inboundId} onChange={(e) => setInboundId(e.target.value)} placeholder="1" />
          )}
        </FormField>
      </div>

      <div className="grid items-start gap-4 sm:grid-cols-2">
        <FormField label={t("nodeForm.publicHost")} error={errors.publicHost} description={t("nodeForm.publicHostHint")}>
          <Input name="publicHost" defaultValue={node?.publicHost ?? ""} placeholder="vpn.example.com" />
        </FormField>
        <FormField label={t("nodeForm.publicPort")} error={errors.publicPort} description={t("nodeForm.publicPortHint")}>
          <Input name="publicPort" inputMode="numeric" defaultValue={node?.publicPort ?? ""} />
        </FormField>
      </div>
      <div className="grid items-start gap-4 sm:grid-cols-3">
        <FormField label={t("nodeForm.maxUsers")} error={errors.maxUsers} description={t("nodeForm.maxUsersHint")}>
          <Input name="maxUsers" inputMode="numeric" defaultValue={node?.maxUsers ?? 100} />
        </FormField>
        <FormField label={t("nodeForm.priority")} error={errors.priority} description={t("nodeForm.priorityHint")}>
          <Input name="priority" inputMode="numeric" defaultValue={node?.priority ?? 100} />
        </FormField>
        <FormField label={t("nodeForm.weight")} error={errors.weight} description={t("nodeForm.weightHint")}>
          <Input name="weight" inputMode="decimal" defaultValue={formatInputNumber(locale, node?.weight ?? 1)} />
        </FormField>
        <FormField label={t("nodeForm.standbyMaxUsers")} error={errors.standbyMaxUsers} description={t("nodeForm.standbyMaxUsersHint")}>
          <Input name="standbyMaxUsers" inputMode="numeric" defaultValue={node?.standbyMaxUsers ?? 100} />
        </FormField>
      </div>
      {failure ? (
        <div role="alert" data-testid="connection-failed" className="grid gap-1 rounded-lg border border-destructive/40 bg-destructive/5 p-4 text-sm">
          {/* The reason itself shows beside the test button and the field to fix. */}
          <p className="font-medium">{t("nodeForm.failed.title")}</p>
          <p className="text-muted-foreground">{t(node && node.adminState !== "disabled" ? "nodeForm.failed.editHint" : "nodeForm.failed.hint")}</p>
        </div>
      ) : null}
      <DialogFooter>
        <Button variant="outline" onClick={onDone} disabled={isSaving}>
          {t("common.cancel")}
        </Button>
        {/* After a failed test a plain save is not offered: the server would refuse it, and a node that cannot serve must not take users. */}
        <Button type="submit" disabled={isSaving}>
          {isSaving ? <Loader2Icon aria-hidden className="animate-spin" /> : failure ? <PowerOffIcon aria-hidden /> : null}
          {failure ? t(node && node.adminState !== "disabled" ? "nodeForm.saveAndDisable" : "nodeForm.saveDisabled") : t(node ? "nodeForm.save" : "nodeForm.addLabel")}
        </Button>
      </DialogFooter>
    </form>
  );
}

function TestOutcome({ result }: { result: TestResult | null }) {
  const t = useT();
  if (!result) return <span className="text-sm text-muted-foreground">{t("nodeForm.notTested")}</span>;
  if (!result.ok) {
    return (
      <span role="status" className="flex items-center gap-1.5 text-sm text-destructive">
        <XCircleIcon aria-hidden className="size-4 shrink-0" /> {renderMessage(t, result.reason)}
      </span>
    );
  }
  if (result.inboundProblem) {
    return (
      <span role="status" className="flex items-center gap-1.5 text-sm text-destructive">
        <XCircleIcon aria-hidden className="size-4 shrink-0" /> {renderMessage(t, result.inboundProblem)}
      </span>
    );
  }
  return (
    <span role="status" data-testid="test-connection-result" className="flex items-center gap-1.5 text-sm">
      <CheckCircle2Icon aria-hidden className="size-4 text-success" />
      {t("nodeForm.connected", {
        version: result.version ? `v${result.version}` : t("nodeForm.versionUnknown"),
        generation: result.generation,
        latency: result.latencyMs,
        inbounds: t("nodeForm.inboundCount", { count: result.inbounds.length }),
      })}
    </span>
  );
}
