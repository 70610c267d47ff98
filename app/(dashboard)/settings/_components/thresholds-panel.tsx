"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";

type Field = { group: "health" | "failover"; key: string; label: string; description: string };

const FIELDS: Field[] = [
  { group: "health", key: "intervalSeconds", label: "Check interval (s)", description: "A node is checked when its last check is older than this." },
  { group: "health", key: "timeoutMs", label: "Check timeout (ms)", description: "A panel slower than this counts as a failed check." },
  { group: "health", key: "fall", label: "Failures before unhealthy", description: "Consecutive failed checks…" },
  { group: "health", key: "fallWindowSeconds", label: "…spanning at least (s)", description: "…over at least this long, so one blip never fails a node." },
  { group: "health", key: "rise", label: "Successes before healthy", description: "Consecutive good checks to come back." },
  { group: "health", key: "retentionDays", label: "Keep raw checks (days)", description: "Hourly roll-ups keep the long charts beyond this." },
  { group: "failover", key: "graceSeconds", label: "Failover grace (s)", description: "How long a node stays unhealthy before its users are moved." },
  { group: "failover", key: "batchSize", label: "Users moved per batch", description: "Per node, per cron ping: limits the load on the panels." },
];

/** Owner-only health and failover thresholds; a value left as it was keeps following the env default. */
export function ThresholdsPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.health.settings.queryOptions());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.health.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        setErrors({});
        toast.success("Thresholds saved; the next sweep uses them");
        queryClient.setQueryData(trpc.health.settings.queryKey(), saved);
      },
      onError: (error) => {
        const fields = fieldErrorsOf(error);
        setErrors(fields);
        if (!Object.keys(fields).length) toast.error(error.message);
      },
    }),
  );

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!settings.data) return;
    const form = new FormData(event.currentTarget);
    const changed = { health: {} as Record<string, number>, failover: {} as Record<string, number | boolean> };
    for (const field of FIELDS) {
      const raw = String(form.get(`${field.group}.${field.key}`) ?? "").trim();
      const current = (settings.data[field.group] as Record<string, unknown>)[field.key];
      // Only what the owner changed is stored, so untouched values keep following the env.
      if (raw !== String(current)) changed[field.group][field.key] = raw === "" ? Number.NaN : Number(raw);
    }
    const autoReturn = form.get("failover.autoReturnToService") === "on";
    if (autoReturn !== settings.data.failover.autoReturnToService) changed.failover.autoReturnToService = autoReturn;
    if (!Object.keys(changed.health).length && !Object.keys(changed.failover).length) {
      toast.info("Nothing changed");
      return;
    }
    update.mutate(changed);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>Health and failover thresholds</CardTitle>
        <CardDescription>How the fleet judges its nodes and when it moves users off one. Changes are audited.</CardDescription>
      </CardHeader>
      {settings.data ? (
        <form onSubmit={submit} aria-label="Thresholds" noValidate>
          <CardContent className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {FIELDS.map((field) => (
              <FormField key={`${field.group}.${field.key}`} label={field.label} description={field.description} error={errors[field.key] ?? errors[`${field.group}.${field.key}`]}>
                <Input
                  name={`${field.group}.${field.key}`}
                  inputMode="numeric"
                  defaultValue={String((settings.data[field.group] as Record<string, unknown>)[field.key])}
                />
              </FormField>
            ))}
            <label className="flex items-center gap-3 text-sm sm:col-span-2">
              <Switch name="failover.autoReturnToService" defaultChecked={settings.data.failover.autoReturnToService} />
              A recovered node takes new users again by itself once reconciled
            </label>
          </CardContent>
          <CardFooter className="justify-end pt-6">
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
              Save thresholds
            </Button>
          </CardFooter>
        </form>
      ) : (
        <CardContent>
          <Skeleton className="h-48 w-full" />
        </CardContent>
      )}
    </Card>
  );
}
