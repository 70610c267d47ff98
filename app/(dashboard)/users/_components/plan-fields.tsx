"use client";

import { useT } from "@/components/i18n/i18n-provider";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";

const GB = 1024 ** 3;

/** A plan as the form holds it: empty means "none" (never expires, unlimited). */
export type PlanDraft = { expiresOn: string; limitGb: string; devices: string };
export type PlanValue = { expiresAt: string | null; trafficLimitBytes: number | null; deviceLimit: number | null };
export type PlanErrors = Partial<Record<keyof PlanValue, string>>;

const pad = (n: number) => String(n).padStart(2, "0");

export function draftOf(plan: { expiresAt: Date | string | null; trafficLimitBytes: number | null; deviceLimit: number | null }): PlanDraft {
  const expires = plan.expiresAt ? new Date(plan.expiresAt) : null;
  return {
    expiresOn: expires ? `${expires.getFullYear()}-${pad(expires.getMonth() + 1)}-${pad(expires.getDate())}` : "",
    limitGb: plan.trafficLimitBytes === null ? "" : String(Math.round((plan.trafficLimitBytes / GB) * 1000) / 1000),
    devices: plan.deviceLimit === null ? "" : String(plan.deviceLimit),
  };
}

/** The plan the API takes, or what is wrong with each field. An expiry date means the end of that day, in the admin's time zone. */
export function planOf(draft: PlanDraft, t: ReturnType<typeof useT>): { value: PlanValue } | { errors: PlanErrors } {
  const errors: PlanErrors = {};
  const limit = draft.limitGb.trim() === "" ? null : Number(draft.limitGb.replace(",", "."));
  if (limit !== null && (!Number.isFinite(limit) || limit <= 0)) errors.trafficLimitBytes = t("planForm.positiveNumber");
  const devices = draft.devices.trim() === "" ? null : Number(draft.devices);
  if (devices !== null && (!Number.isInteger(devices) || devices < 1)) errors.deviceLimit = t("planForm.wholeNumber");
  const expires = draft.expiresOn ? new Date(`${draft.expiresOn}T23:59:59`) : null;
  if (expires && Number.isNaN(expires.getTime())) errors.expiresAt = t("planForm.date");
  if (Object.keys(errors).length > 0) return { errors };
  return {
    value: {
      expiresAt: expires ? expires.toISOString() : null,
      trafficLimitBytes: limit === null ? null : Math.round(limit * GB),
      deviceLimit: devices,
    },
  };
}

/** Server field errors (`patch.expiresAt`, `expiresAt`) by plan field. */
export function planErrorsOf(fields: Record<string, string>): PlanErrors {
  const errors: PlanErrors = {};
  for (const [path, message] of Object.entries(fields)) {
    const field = path.split(".").at(-1);
    if (field === "expiresAt" || field === "trafficLimitBytes" || field === "deviceLimit") errors[field] = message;
  }
  return errors;
}

export function PlanFields({ draft, onChange, errors }: { draft: PlanDraft; onChange: (draft: PlanDraft) => void; errors: PlanErrors }) {
  const t = useT();
  return (
    <div className="grid gap-4 sm:grid-cols-3">
      <FormField label={t("planForm.expires")} description={t("planForm.expiresHint")} error={errors.expiresAt}>
        <Input type="date" value={draft.expiresOn} onChange={(e) => onChange({ ...draft, expiresOn: e.target.value })} />
      </FormField>
      <FormField label={t("planForm.limit")} description={t("planForm.limitHint")} error={errors.trafficLimitBytes}>
        <Input inputMode="decimal" value={draft.limitGb} onChange={(e) => onChange({ ...draft, limitGb: e.target.value })} />
      </FormField>
      <FormField label={t("planForm.devices")} description={t("planForm.devicesHint")} error={errors.deviceLimit}>
        <Input inputMode="numeric" value={draft.devices} onChange={(e) => onChange({ ...draft, devices: e.target.value })} />
      </FormField>
    </div>
  );
}
