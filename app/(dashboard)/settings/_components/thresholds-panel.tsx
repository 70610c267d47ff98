"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon } from "lucide-react";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";

// Each key has its label at `thresholds.<key>` and its description at `thresholds.<key>.hint`.
type Field = {
  group: "health" | "failover";
  key: "intervalSeconds" | "timeoutMs" | "fall" | "fallWindowSeconds" | "rise" | "retentionDays" | "graceSeconds" | "batchSize";
};

const FIELDS: Field[] = [
  { group: "health", key: "intervalSeconds" },
  { group: "health", key: "timeoutMs" },
  { group: "health", key: "fall" },
  { group: "health", key: "fallWindowSeconds" },
  { group: "health", key: "rise" },
  { group: "health", key: "retentionDays" },
  { group: "failover", key: "graceSeconds" },
  { group: "failover", key: "batchSize" },
];

/** Owner-only health and failover thresholds; a value left as it was keeps following the env default. */
export function ThresholdsPanel() {
  const trpc = useTRPC();
  const t = useT();
  const queryClient = useQueryClient();
  const settings = useQuery(trpc.health.settings.queryOptions());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.health.updateSettings.mutationOptions({
      onSuccess: (saved) => {
        setErrors({});
        toast.success(t("thresholds.savedToast"));
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
      toast.info(t("thresholds.nothingChanged"));
      return;
    }
    update.mutate(changed);
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("thresholds.title")}</CardTitle>
        <CardDescription>{t("thresholds.description")}</CardDescription>
      </CardHeader>
      {settings.data ? (
        <form onSubmit={submit} aria-label={t("thresholds.formLabel")} noValidate>
          <CardContent className="grid items-start gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {FIELDS.map((field) => (
              <FormField
                key={`${field.group}.${field.key}`}
                label={t(`thresholds.${field.key}`)}
                description={t(`thresholds.${field.key}.hint`)}
                error={errors[field.key] ?? errors[`${field.group}.${field.key}`]}
              >
                <Input
                  name={`${field.group}.${field.key}`}
                  inputMode="numeric"
                  defaultValue={String((settings.data[field.group] as Record<string, unknown>)[field.key])}
                />
              </FormField>
            ))}
            <label className="flex items-center gap-3 text-sm sm:col-span-2">
              <Switch name="failover.autoReturnToService" defaultChecked={settings.data.failover.autoReturnToService} />
              {t("thresholds.autoReturn")}
            </label>
          </CardContent>
          <CardFooter className="justify-end pt-6">
            <Button type="submit" disabled={update.isPending}>
              {update.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
              {t("thresholds.save")}
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
