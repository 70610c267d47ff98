"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ShieldCheckIcon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsOf } from "@/app/_trpc/errors";
import { useTRPC } from "@/app/_trpc/react";
import { useT } from "@/components/i18n/i18n-provider";
import { QrCode } from "@/components/users/qr-code";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";

const value = (form: FormData, name: string) => String(form.get(name) ?? "");

/** The signed-in admin's own account: password and two-factor; owners also decide whether two-factor is required. */
export function AccountPanel({ isOwner, mustEnroll }: { isOwner: boolean; mustEnroll: boolean }) {
  const t = useT();
  return (
    <Card>
      <CardHeader>
        <CardTitle>{t("account.title")}</CardTitle>
        <CardDescription>{t("account.description")}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-8 lg:grid-cols-2">
        <ChangePasswordForm />
        <TwoFactorSection isOwner={isOwner} mustEnroll={mustEnroll} />
      </CardContent>
    </Card>
  );
}

function ChangePasswordForm() {
  const trpc = useTRPC();
  const t = useT();
  const [fields, setFields] = useState<Record<string, string>>({});
  const change = useMutation(trpc.account.changePassword.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    if (value(data, "newPassword") !== value(data, "confirmPassword")) return setFields({ confirmPassword: t("account.passwordsDiffer") });
    try {
      await change.mutateAsync({ currentPassword: value(data, "currentPassword"), newPassword: value(data, "newPassword") });
      setFields({});
      form.reset();
      toast.success(t("account.passwordChanged"));
    } catch (error) {
      const errors = fieldErrorsOf(error);
      setFields(errors);
      if (!Object.keys(errors).length) toast.error((error as Error).message);
    }
  }

  return (
    <form onSubmit={submit} className="grid content-start gap-4" aria-label={t("account.changePassword")}>
      <h3 className="text-sm font-semibold">{t("account.changePassword")}</h3>
      <FormField label={t("account.currentPassword")} error={fields.currentPassword} required>
        <Input name="currentPassword" type="password" autoComplete="current-password" />
      </FormField>
      <FormField label={t("account.newPassword")} error={fields.newPassword} description={t("admins.passwordHint")} required>
        <Input name="newPassword" type="password" autoComplete="new-password" />
      </FormField>
      <FormField label={t("account.confirmPassword")} error={fields.confirmPassword} required>
        <Input name="confirmPassword" type="password" autoComplete="new-password" />
      </FormField>
      <p className="text-xs text-muted-foreground">{t("account.otherSessionsEnd")}</p>
      <Button type="submit" className="justify-self-start" disabled={change.isPending}>
        {t("account.changePassword")}
      </Button>
    </form>
  );
}

function TwoFactorSection({ isOwner, mustEnroll }: { isOwner: boolean; mustEnroll: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const queryClient = useQueryClient();
  const router = useRouter();
  const status = useQuery(trpc.account.twoFactor.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.account.twoFactor.queryKey() });
  const begin = useMutation(trpc.account.beginTotp.mutationOptions({ onError: (e) => toast.error(e.message) }));
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const setRequired = useMutation(
    trpc.account.setTwoFactorRequired.mutationOptions({ onSuccess: () => (toast.success(t("account.requiredSaved")), refresh()), onError: (e) => toast.error(e.message) }),
  );

  if (status.isPending || !status.data) return <Skeleton className="h-40 w-full" />;
  const { isEnabled, isRequired, recoveryCodesLeft } = status.data;

  return (
    <section className="grid content-start gap-4" aria-label={t("account.twoFactor")}>
      <h3 className="flex items-center gap-2 text-sm font-semibold">
        <ShieldCheckIcon aria-hidden className="size-4" /> {t("account.twoFactor")}
        <Badge variant={isEnabled ? "secondary" : "outline"}>{t(isEnabled ? "account.on" : "account.off")}</Badge>
      </h3>
      {mustEnroll && !isEnabled ? (
        <p data-testid="totp-required-notice" className="rounded-md border border-amber-500/40 bg-amber-500/10 px-3 py-2 text-sm">
          {t("account.mustEnroll")}
        </p>
      ) : null}
      {recoveryCodes ? (
        <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
      ) : isEnabled ? (
        <>
          <p className="text-sm text-muted-foreground">{t("account.enabledLine", { count: recoveryCodesLeft })}</p>
          <DisableTotpForm onDone={refresh} isRequired={isRequired} />
        </>
      ) : begin.data ? (
        <ConfirmTotpForm
          otpauthUri={begin.data.otpauthUri}
          secret={begin.data.secret}
          onEnabled={(codes) => {
            setRecoveryCodes(codes);
            begin.reset();
            void refresh();
            // A required enrolment just ended: the server renders the rest of the dashboard again.
            if (mustEnroll) router.refresh();
          }}
        />
      ) : (
        <>
          <p className="text-sm text-muted-foreground">{t("account.twoFactorHint")}</p>
          <Button variant="outline" className="justify-self-start" onClick={() => begin.mutate()} disabled={begin.isPending}>
            {t("account.setUp")}
          </Button>
        </>
      )}
      {isOwner ? (
        <label className="flex items-start gap-3 border-t pt-4 text-sm">
          <Switch checked={isRequired} disabled={setRequired.isPending} onChange={(e) => setRequired.mutate({ isRequired: e.target.checked })} />
          <span className="grid gap-1">
            <span className="font-medium">{t("account.requireForAll")}</span>
            <span className="text-xs text-muted-foreground">{t("account.requireForAllHint")}</span>
          </span>
        </label>
      ) : null}
    </section>
  );
}

function ConfirmTotpForm({ otpauthUri, secret, onEnabled }: { otpauthUri: string; secret: string; onEnabled: (codes: string[]) => void }) {
  const trpc = useTRPC();
  const t = useT();
  const [error, setError] = useState<string | undefined>();
  const confirm = useMutation(trpc.account.confirmTotp.mutationOptions());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      const { recoveryCodes } = await confirm.mutateAsync({ code: value(new FormData(event.currentTarget), "code") });
      toast.success(t("account.enabledToast"));
      onEnabled(recoveryCodes);
    } catch (e) {
      setError(fieldErrorsOf(e).code ?? (e as Error).message);
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-4" aria-label={t("account.setUp")}>
      <p className="text-sm text-muted-foreground">{t("account.scan")}</p>
      <QrCode value={otpauthUri} label={t("account.qrLabel")} />
      <p className="text-xs text-muted-foreground">
        {t("account.orEnter")} <code data-testid="totp-secret" className="font-mono break-all">{secret}</code>
      </p>
      <FormField label={t("account.code")} error={error} required>
        <Input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
      </FormField>
      <Button type="submit" className="justify-self-start" disabled={confirm.isPending}>
        {t("account.turnOn")}
      </Button>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useT();
  return (
    <div className="grid gap-3">
      <p className="text-sm">{t("account.recoveryIntro")}</p>
      <ul data-testid="recovery-codes" className="grid grid-cols-2 gap-1 rounded-md border bg-muted/40 p-3 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <Button variant="outline" className="justify-self-start" onClick={onDone}>
        {t("account.savedThem")}
      </Button>
    </div>
  );
}

function DisableTotpForm({ onDone, isRequired }: { onDone: () => void; isRequired: boolean }) {
  const trpc = useTRPC();
  const t = useT();
  const [error, setError] = useState<string | undefined>();
  const disable = useMutation(trpc.account.disableTotp.mutationOptions());
  if (isRequired) return <p className="text-xs text-muted-foreground">{t("account.requiredCannotDisable")}</p>;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    try {
      await disable.mutateAsync({ password: value(new FormData(event.currentTarget), "password") });
      toast.success(t("account.disabledToast"));
      onDone();
    } catch (e) {
      setError(fieldErrorsOf(e).password ?? (e as Error).message);
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-3 sm:grid-cols-[1fr_auto] sm:items-start" aria-label={t("account.turnOff")}>
      <FormField label={t("account.currentPassword")} error={error} required>
        <Input name="password" type="password" autoComplete="current-password" />
      </FormField>
      <Button type="submit" variant="outline" className="sm:mt-7" disabled={disable.isPending}>
        {t("account.turnOff")}
      </Button>
    </form>
  );
}
