"use client";

import { useMutation } from "@tanstack/react-query";
import { Loader2Icon, UsersRoundIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type ChangeEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import type { RouterOutputs } from "@/app/(dashboard)/_components/router-outputs";
import { STACKED_CARD_ACTION, STACKED_CARD_HEADER } from "@/app/(dashboard)/_components/layout-classes";
import { useT } from "@/components/i18n/i18n-provider";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { Textarea } from "@/components/ui/textarea";

type Plan = RouterOutputs["adoption"]["preview"];
type Item = Plan["items"][number];
type RuleKind = "tgId" | "emailRegex" | "csv";

const OUTCOME_VARIANT = { adopt: "success", unmappable: "secondary", duplicate: "warning", has_key: "warning", no_secret: "destructive" } as const;
// Enough rows to check the rule by eye; the counts above cover all of them.
const ROW_LIMIT = 200;

/**
 * "Adopt existing clients": the clients already on this node's inbound, matched to Telegram users by
 * a rule, previewed with their conflicts, then adopted all at once with their keys unchanged.
 */
export function AdoptCard({ nodeId }: { nodeId: string }) {
  const trpc = useTRPC();
  const t = useT();
  const router = useRouter();
  const [kind, setKind] = useState<RuleKind>("tgId");
  const [pattern, setPattern] = useState("^(\\d+)$");
  const [csv, setCsv] = useState("");
  const [maxUsers, setMaxUsers] = useState("");
  const [plan, setPlan] = useState<Plan | null>(null);
  const [adopted, setAdopted] = useState<number | null>(null);
  const rule = kind === "tgId" ? { kind } : kind === "emailRegex" ? { kind, pattern } : { kind, csv };
  const preview = useMutation(
    trpc.adoption.preview.mutationOptions({
      onSuccess: (result) => {
        setPlan(result);
        setAdopted(null);
        const needed = result.node.reservedCount + result.capacity.needed;
        setMaxUsers(result.capacity.fits ? "" : String(needed));
      },
      onError: (error) => (Object.keys(fieldErrorsOf(error)).length ? null : toast.error(error.message)),
    }),
  );
  const adopt = useMutation(
    trpc.adoption.adopt.mutationOptions({
      onSuccess: (report) => {
        setPlan(null);
        setAdopted(report.adopted);
        toast.success(t("adopt.done", { count: report.adopted }));
        router.refresh();
      },
      onError: (error) => (fieldErrorsOf(error).maxUsers ? null : toast.error(error.message)),
    }),
  );
  const fields = { ...fieldErrorsOf(preview.error), ...fieldErrorsOf(adopt.error) };
  const changeRule = (next: RuleKind) => {
    setKind(next);
    setPlan(null);
    preview.reset();
  };
  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) setCsv(await file.text());
  };
  const raise = plan && !plan.capacity.fits ? Number(maxUsers) : undefined;

  return (
    <Card>
      <CardHeader className={STACKED_CARD_HEADER}>
        <CardTitle>{t("adopt.title")}</CardTitle>
        <CardDescription>{t("adopt.description")}</CardDescription>
        <CardAction className={STACKED_CARD_ACTION}>
          <Button variant="outline" onClick={() => preview.mutate({ nodeId, rule })} disabled={preview.isPending}>
            {preview.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : <UsersRoundIcon aria-hidden />} {t("adopt.preview")}
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-4 sm:grid-cols-2">
          <FormField label={t("adopt.rule")}>
            <Select value={kind} onChange={(e) => changeRule(e.target.value as RuleKind)}>
              <option value="tgId">{t("adopt.rule.tgId")}</option>
              <option value="emailRegex">{t("adopt.rule.emailRegex")}</option>
              <option value="csv">{t("adopt.rule.csv")}</option>
            </Select>
          </FormField>
          {kind === "emailRegex" ? (
            <FormField label={t("adopt.pattern")} description={t("adopt.patternHint")} error={fields["rule.pattern"]}>
              <Input value={pattern} onChange={(e) => setPattern(e.target.value)} className="font-mono" spellCheck={false} />
            </FormField>
          ) : null}
        </div>
        {kind === "csv" ? (
          <div className="grid gap-2">
            <FormField label={t("adopt.csv")} description={t("adopt.csvHint")} error={fields["rule.csv"]}>
              <Textarea value={csv} onChange={(e) => setCsv(e.target.value)} rows={4} className="font-mono text-xs" spellCheck={false} />
            </FormField>
            <FormField label={t("adopt.csvFile")}>
              <Input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void loadFile(e)} />
            </FormField>
          </div>
        ) : null}
        {adopted !== null && !plan ? (
          <p className="text-sm" role="status">
            {t("adopt.done", { count: adopted })}
          </p>
        ) : null}
        {plan ? (
          <div className="grid gap-3" data-testid="adopt-preview">
            <p className="text-sm">{t("adopt.summary", { total: plan.clients.total, managed: plan.clients.managed, count: plan.clients.unmanaged })}</p>
            <ul aria-label={t("adopt.countsLabel")} className="flex flex-wrap gap-2">
              {(["adopt", "unmappable", "duplicate", "has_key", "no_secret"] as const).map((outcome) => (
                <li key={outcome}>
                  <Badge variant={OUTCOME_VARIANT[outcome]}>{t(`adopt.count.${outcome}`, { count: plan.counts[outcome] })}</Badge>
                </li>
              ))}
            </ul>
            <p className="text-sm">
              {t("adopt.room", { free: plan.capacity.free, max: plan.node.maxUsers, count: plan.capacity.needed })}
            </p>
            {!plan.capacity.fits ? (
              <FormField label={t("adopt.raise")} description={t("adopt.raiseHint")} error={fields.maxUsers} className="sm:max-w-xs">
                <Input type="number" inputMode="numeric" min={1} value={maxUsers} onChange={(e) => setMaxUsers(e.target.value)} />
              </FormField>
            ) : null}
            {plan.items.length ? <ItemTable items={plan.items} /> : null}
            <div>
              <Button
                onClick={() => adopt.mutate({ nodeId, rule, fingerprint: plan.fingerprint, ...(raise ? { maxUsers: raise } : {}) })}
                disabled={adopt.isPending || plan.counts.adopt === 0}
              >
                {adopt.isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
                {t("adopt.confirm", { count: plan.counts.adopt })}
              </Button>
            </div>
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}

function ItemTable({ items }: { items: Item[] }) {
  const t = useT();
  const note = (item: Item) =>
    item.outcome === "duplicate"
      ? t("adopt.note.duplicate", { emails: (item.sameIdAs ?? []).join(", ") })
      : item.outcome === "has_key"
        ? t("adopt.note.hasKey", { node: item.keyOn ?? "—" })
        : [item.isExistingUser ? t("adopt.note.existingUser") : "", item.isDisabled ? t("adopt.note.disabled") : ""].filter(Boolean).join(" · ");
  return (
    <div className="grid gap-1">
      <Table aria-label={t("adopt.tableLabel")} stacked>
        <TableHeader>
          <TableRow>
            <TableHead>{t("adopt.col.email")}</TableHead>
            <TableHead>{t("adopt.col.telegramId")}</TableHead>
            <TableHead>{t("adopt.col.outcome")}</TableHead>
            <TableHead>{t("adopt.col.note")}</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {items.slice(0, ROW_LIMIT).map((item) => (
            <TableRow key={item.email}>
              <TableCell data-label={t("adopt.col.email")} data-cell="title" className="font-mono text-xs break-all">
                {item.email}
              </TableCell>
              <TableCell data-label={t("adopt.col.telegramId")} className="tabular-nums">
                {item.telegramId ?? "—"}
              </TableCell>
              <TableCell data-label={t("adopt.col.outcome")}>
                <Badge variant={OUTCOME_VARIANT[item.outcome]}>{t(`adopt.outcome.${item.outcome}`)}</Badge>
              </TableCell>
              <TableCell data-label={t("adopt.col.note")} data-cell="wide" className="text-xs text-muted-foreground">
                {note(item)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {items.length > ROW_LIMIT ? <p className="text-xs text-muted-foreground">{t("adopt.more", { count: items.length - ROW_LIMIT })}</p> : null}
    </div>
  );
}
