import type { Metadata } from "next";
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
