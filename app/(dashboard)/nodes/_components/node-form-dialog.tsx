"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CheckCircle2Icon, Loader2Icon, PlugZapIcon, XCircleIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterInputs, RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
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
  const existing = useQuery(trpc.nodes.get.queryOptions({ id: nodeId ?? "" }, { enabled: open && Boolean(nodeId) }));
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        <DialogHeader>
          <DialogTitle>{nodeId ? `Edit ${existing.data?.name ?? "node"}` : "Add a node"}</DialogTitle>
          <DialogDescription>
            A 3X-UI panel of any version from 2.x. Test the connection to detect its version and pick the inbound new clients go to. Credentials are
            encrypted and never shown again.
          </DialogDescription>
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
/** Numbers typed into the form; a blank or non-number goes to the server as-is so its message shows beside the field. */
const numberOr = (value: string, blank: number | null | undefined) => (value === "" ? blank : Number.isFinite(Number(value)) ? Number(value) : (value as unknown as number));

function NodeForm({ node, onDone }: { node?: NodeView; onDone: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [tlsMode, setTlsMode] = useState<string>(node?.tlsMode ?? "verify");
  const [inboundId, setInboundId] = useState<string>(node ? String(node.inboundId) : "");
  const [test, setTest] = useState<TestResult | null>(null);

  const onError = (error: unknown) => {
    const fields = fieldErrorsOf(error);
    setErrors(fields);
    if (Object.keys(fields).length === 0) toast.error((error as Error).message);
  };
  const onSaved = (saved: { name: string }) => {
    toast.success(node ? `Saved ${saved.name}` : `Added ${saved.name}; its first health check runs with the next sweep`);
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
        setErrors({});
        if (result.ok && !result.inbounds.some((i) => String(i.id) === inboundId) && result.inbounds[0]) setInboundId(String(result.inbounds[0].id));
      },
      onError: (error) => {
        setTest(null);
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
      priority: numberOr(text(form, "priority"), undefined) as number,
      weight: numberOr(text(form, "weight"), undefined) as number,
    };
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input = read(new FormData(event.currentTarget));
    if (node) update.mutate({ id: node.id, ...input });
    else create.mutate(input);
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
    <form onSubmit={submit} aria-label={node ? "Edit node" : "Add node"} className="grid gap-4" noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="Name" error={errors.name} required>
          <Input name="name" defaultValue={node?.name} autoComplete="off" placeholder="de-fra-1" />
        </FormField>
        <FormField label="Location" error={errors.location} description="Bots may ask for a location; users prefer nodes there.">
          <Input name="location" defaultValue={node?.location ?? ""} placeholder="Frankfurt" />
        </FormField>
      </div>
      <FormField label="Panel URL" error={errors.panelUrl} required description="With the panel's secret path, e.g. https://panel.example.com:2053/abc/">
        <Input name="panelUrl" type="url" defaultValue={node?.panelUrl} placeholder="https://panel.example.com:2053/path/" />
      </FormField>
      <div className="grid gap-4 sm:grid-cols-3">
        <FormField label="Panel username" error={errors.panelUsername}>
          <Input name="panelUsername" defaultValue={node?.panelUsername ?? ""} autoComplete="off" />
        </FormField>
        <FormField label="Panel password" error={errors.panelPassword} description={node?.hasPassword ? "Stored; leave blank to keep it." : undefined}>
          <Input name="panelPassword" type="password" autoComplete="new-password" />
        </FormField>
        <FormField label="API token" error={errors.panelApiToken} description={node?.hasApiToken ? "Stored; leave blank to keep it." : "v3 panels; instead of a password."}>
          <Input name="panelApiToken" type="password" autoComplete="off" />
        </FormField>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="TLS" error={errors.tlsMode}>
          <Select name="tlsMode" value={tlsMode} onChange={(e) => setTlsMode(e.target.value)}>
            <option value="verify">Verify the certificate</option>
            <option value="skip">Skip verification (self-signed)</option>
            <option value="pin">Pin the public key</option>
          </Select>
        </FormField>
        {tlsMode === "pin" ? (
          <FormField label="SPKI SHA-256 pin" error={errors.tlsPinSha256} required>
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
            Test connection
          </Button>
          <TestOutcome result={test} />
        </div>
        <FormField label="Inbound" error={errors.inboundId} required description={inbounds.length ? "New clients are added to this inbound." : "Test the connection to list the panel's inbounds, or type its id."}>
          {inbounds.length ? (
            <Select name="inboundId" value={inboundId} onChange={(e) => setInboundId(e.target.value)}>
              {inbounds.map((i) => (
                <option key={i.id} value={i.id}>
                  #{i.id} {i.remark || "(no remark)"} · {i.protocol}:{i.port} · {i.clientCount} clients{i.enable ? "" : " · disabled"}
                </option>
              ))}
            </Select>
          ) : (
            <Input name="inboundId" inputMode="numeric" value={inboundId} onChange={(e) => setInboundId(e.target.value)} placeholder="1" />
          )}
        </FormField>
      </div>

      <div className="grid gap-4 sm:grid-cols-2">
        <FormField label="Public host" error={errors.publicHost} description="Put into share links; blank uses the panel's host.">
          <Input name="publicHost" defaultValue={node?.publicHost ?? ""} placeholder="vpn.example.com" />
        </FormField>
        <FormField label="Public port" error={errors.publicPort} description="Blank uses the inbound's port.">
          <Input name="publicPort" inputMode="numeric" defaultValue={node?.publicPort ?? ""} />
        </FormField>
      </div>
      <div className="grid gap-4 sm:grid-cols-3">
        <FormField label="Max users" error={errors.maxUsers} description="0 takes no new users.">
          <Input name="maxUsers" inputMode="numeric" defaultValue={node?.maxUsers ?? 100} />
        </FormField>
        <FormField label="Priority" error={errors.priority} description="Higher fills first (default 100).">
          <Input name="priority" inputMode="numeric" defaultValue={node?.priority ?? 100} />
        </FormField>
        <FormField label="Weight" error={errors.weight} description="Relative share of new users.">
          <Input name="weight" inputMode="decimal" defaultValue={node?.weight ?? 1} />
        </FormField>
      </div>
      <DialogFooter>
        <Button variant="outline" onClick={onDone} disabled={isSaving}>
          Cancel
        </Button>
        <Button type="submit" disabled={isSaving}>
          {isSaving ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
          {node ? "Save changes" : "Add node"}
        </Button>
      </DialogFooter>
    </form>
  );
}

function TestOutcome({ result }: { result: TestResult | null }) {
  if (!result) return <span className="text-sm text-muted-foreground">Not tested yet</span>;
  if (!result.ok) {
    return (
      <span role="status" className="flex items-center gap-1.5 text-sm text-destructive">
        <XCircleIcon aria-hidden className="size-4" /> {result.message}
      </span>
    );
  }
  return (
    <span role="status" data-testid="test-connection-result" className="flex items-center gap-1.5 text-sm">
      <CheckCircle2Icon aria-hidden className="size-4 text-success" />
      Connected: 3X-UI {result.version ? `v${result.version}` : "(version not reported)"} · API {result.generation} · {result.latencyMs} ms ·{" "}
      {result.inbounds.length} inbound{result.inbounds.length === 1 ? "" : "s"}
    </span>
  );
}
