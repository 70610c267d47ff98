"use client";

import { Loader2Icon } from "lucide-react";
import { startTransition, useActionState, type FormEvent } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { login, type LoginState } from "./actions";

export function LoginForm({ callbackUrl }: { callbackUrl: string }) {
  const t = useT();
  const [state, action, isPending] = useActionState<LoginState, FormData>(login, { error: null, username: "", needsCode: false });
  // React empties a form after each submission through its action prop, and the code step must send
  // the username and password again: once hydrated, the form is submitted through a transition (no
  // reset). The fields stay uncontrolled: controlled ones would be emptied when hydration finds text
  // typed before it. Before hydration the action prop posts the form natively.
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => action(data));
  };
  return (
    <form action={action} onSubmit={submit} className="flex flex-col gap-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <div className="flex flex-col gap-2">
        <Label htmlFor="username">{t("common.username")}</Label>
        <Input id="username" name="username" autoComplete="username" defaultValue={state.username} required autoFocus />
      </div>
      <div className="flex flex-col gap-2">
        <Label htmlFor="password">{t("common.password")}</Label>
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </div>
      {state.needsCode ? (
        <div className="flex flex-col gap-2">
          <Label htmlFor="totp">{t("login.code")}</Label>
          <Input id="totp" name="totp" autoComplete="one-time-code" inputMode="text" autoFocus required />
        </div>
      ) : null}
      {state.error ? (
        <p data-testid="login-error" className="rounded-md border border-destructive/30 bg-destructive/10 px-3 py-2 text-sm text-destructive">
          {t(`login.error.${state.error}`)}
        </p>
      ) : null}
      <Button type="submit" disabled={isPending}>
        {isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
        {t("login.submit")}
      </Button>
    </form>
  );
}
