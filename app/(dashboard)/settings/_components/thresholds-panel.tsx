"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Loader2Icon } from "lucide-react";
import { useState, type FormEvent, type ReactNode } from "react";
import { toast } from "sonner";
import { errorMessageOf, fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { formatDateTime } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";

type Origins = RouterOutputs["health"]["settingsOrigins"];
type Group = "health" | "failover";

// Each key has its label at `thresholds.<key>` and its description at `thresholds.<key>.hint`.
type Field = {
  group: Group;
  key: "intervalSeconds" | "timeoutMs" | "fall" | "fallWindowSeconds" | "rise" | "retentionDays" | "graceSeconds" | "maxMovesPerMinute";
};

const FIELDS: Field[] = [
  { group: "health", key: "intervalSeconds" },
  { group: "health", key: "timeoutMs" },
  { group: "health", key: "fall" },
  { group: "health", key: "fallWindowSeconds" },
  { group: "health", key: "rise" },
  { group: "health", key: "retentionDays" },
  { group: "failover", key: "graceSeconds" },
  { group: "failover", key: "maxMovesPerMinute" },
];

const valueOf = (origins: Origins, group: Group, key: string) => (origins.values[group] as Record<string, number | boolean>)[key];
const originOf = (origins: Origins, group: Group, key: string) => (origins.origins[group] as Record<string, Origins["origins"]["health"]["fall"]>)[key]!;

/**
 * Owner-only health and failover thresholds. Each shows where its value comes from — a saved
 * override (which wins over the env variable), the env variable, or the built-in default — and a
 * saved override can be dropped to follow the env again. Numbers go to the server as typed, so a
 * decimal comma and the server's own field messages both work.
 */
export function ThresholdsPanel() {
  const trpc = useTRPC();
  const t = useT();
  const locale = useLocale();
  const queryClient = useQueryClient();
  const origins = useQuery(trpc.health.settingsOrigins.queryOptions());
  const [errors, setErrors] = useState<Record<string, string>>({});
  const update = useMutation(
    trpc.health.updateSettings.mutationOptions({
      onError: (error) => {
        const fields = fieldErrorsOf(error);
        setErrors(fields);
        if (!Object.keys(fields).length) toast.error(errorMessageOf(error, t));
      },
    }),
  );

  async function save(patch: Parameters<typeof update.mutateAsync>[0], message: string) {
    await update.mutateAsync(patch);
    setErrors({});
    toast.success(message);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.health.settingsOrigins.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.health.settings.queryKey() }),
    ]);
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!origins.data) return;
    const form = new FormData(event.currentTarget);
    const changed = { health: {} as Record<string, string>, failover: {} as Record<string, string | boolean> };
    for (const field of FIELDS) {
      const raw = String(form.get(`${field.group}.${field.key}`) ?? "").trim();
      // Only what the owner changed is stored, so untouched values keep following the env.
      if (raw !== String(valueOf(origins.data, field.group, field.key))) changed[field.group][field.key] = raw;
    }
    const autoReturn = form.get("failover.autoReturnToService") === "on";
    if (autoReturn !== origins.data.values.failover.autoReturnToService) changed.failover.autoReturnToService = autoReturn;
    if (!Object.keys(changed.health).length && !Object.keys(changed.failover).length) {
      toast.info(t("thresholds.nothingChanged"));
      return;
    }
    save(changed, t("thresholds.savedToast")).catch(() => {});
  }

  const originLine = (group: Group, key: string): ReactNode => {
    if (!origins.data) return null;
    const origin = originOf(origins.data, group, key);
    const envValue = String(origin.envValue);
    if (origin.source === "env") return t("thresholds.origin.env", { variable: origin.variable, value: envValue });
    if (origin.source === "default") return t("thresholds.origin.default", { variable: origin.variable, value: envValue });
    const savedBy = origins.data.savedBy[group];
    return (
      <span className="flex flex-wrap items-center gap-x-2">
        <span>
          {t("thresholds.origin.saved", {
            by: savedBy?.by ?? "?",
            time: savedBy ? formatDateTime(locale, savedBy.at) : "?",
            variable: origin.variable,
            value: envValue,
          })}
        </span>
        <Button
          type="button"
          variant="link"
          size="sm"
          className="h-auto p-0"
          disabled={update.isPending}
          onClick={() => save({ [group]: { [key]: null } }, t("thresholds.resetToast", { variable: origin.variable })).catch(() => {})}
        >
          {t("thresholds.useEnv", { variable: origin.variable })}
        </Button>
      </span>
    );
  };

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("thresholds.title")}</CardTitle>
        <CardDescription>{t("thresholds.description")}</CardDescription>
      </CardHeader>
      {origins.data ? (
        // Keyed by the values, so a save or a reset refills the fields with what is now in effect.
        <form key={JSON.stringify(origins.data.values)} onSubmit={submit} aria-label={t("thresholds.formLabel")} noValidate>
          <CardContent className="grid items-start gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {FIELDS.map((field) => (
              <FormField
                key={`${field.group}.${field.key}`}
                label={t(`thresholds.${field.key}`)}
                description={
                  <>
                    {t(`thresholds.${field.key}.hint`)}
                    <span className="mt-1 block text-xs" data-testid={`origin-${field.key}`}>
                      {originLine(field.group, field.key)}
                    </span>
                  </>
                }
                error={errors[field.key] ?? errors[`${field.group}.${field.key}`]}
              >
                <Input name={`${field.group}.${field.key}`} inputMode="decimal" defaultValue={String(valueOf(origins.data, field.group, field.key))} />
              </FormField>
            ))}
            <div className="grid gap-1 sm:col-span-2">
              <label className="flex items-center gap-3 text-sm">
                <Switch name="failover.autoReturnToService" defaultChecked={origins.data.values.failover.autoReturnToService} />
                {t("thresholds.autoReturn")}
              </label>
              <span className="text-xs text-muted-foreground" data-testid="origin-autoReturnToService">
                {originLine("failover", "autoReturnToService")}
              </span>
            </div>
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
