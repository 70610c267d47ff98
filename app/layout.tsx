import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { getLocale } from "@/components/i18n/server";
import { Providers } from "@/components/layout/providers";
import { TrpcReactProvider } from "./_trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Fleet", template: "%s · Fleet" },
  description: "One control plane for many 3X-UI panels",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await getLocale();
  // proxy.ts puts a fresh nonce on every page request; inline scripts (next-themes') need it under the CSP.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang={locale} suppressHydrationWarning>
      <body>
        <Providers locale={locale} nonce={nonce}>
          <TrpcReactProvider>{children}</TrpcReactProvider>
        </Providers>
      </body>
    </html>
  );
}
