import type { Metadata } from "next";
import { cookies } from "next/headers";
import type { ReactNode } from "react";
import { LOCALE_COOKIE, resolveLocale } from "@/components/i18n/locale";
import { Providers } from "@/components/layout/providers";
import { TrpcReactProvider } from "./_trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Fleet", template: "%s · Fleet" },
  description: "One control plane for many 3X-UI panels",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = resolveLocale((await cookies()).get(LOCALE_COOKIE)?.value);
  return (
    <html lang={locale} suppressHydrationWarning>
      <body>
        <Providers locale={locale}>
          <TrpcReactProvider>{children}</TrpcReactProvider>
        </Providers>
      </body>
    </html>
  );
}
