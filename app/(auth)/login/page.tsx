import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/layout/logo";
import { LocaleSwitcher } from "@/components/layout/locale-switcher";
import { getTranslator } from "@/components/i18n/server";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { getActor } from "@/server/auth/session";
import { LoginForm } from "./login-form";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("login.title") };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await getActor()) redirect("/");
  const { callbackUrl } = await searchParams;
  const { t } = await getTranslator();
  return (
    <main className="relative flex min-h-dvh items-center justify-center bg-muted/40 px-4">
      <div className="absolute top-4 right-4">
        <LocaleSwitcher />
      </div>
      <Card className="w-full max-w-sm">
        <CardHeader className="text-center">
          <div className="mb-2 flex justify-center">
            <Logo name={t("app.name")} />
          </div>
          <h1 className="leading-none font-semibold">{t("login.heading")}</h1>
          <CardDescription>{t("login.description")}</CardDescription>
        </CardHeader>
        <CardContent>
          <LoginForm callbackUrl={callbackUrl ?? "/"} />
        </CardContent>
      </Card>
    </main>
  );
}
