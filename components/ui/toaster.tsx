"use client";

import { useTheme } from "next-themes";
import type { CSSProperties } from "react";
import { Toaster as SonnerToaster, type ToasterProps } from "sonner";
import { useT } from "@/components/i18n/i18n-provider";

/** Sonner, themed with our tokens and following the next-themes choice. */
function Toaster(props: ToasterProps) {
  const { theme = "system" } = useTheme();
  const t = useT();
  return (
    <SonnerToaster
      theme={theme as ToasterProps["theme"]}
      className="toaster group"
      richColors
      closeButton
      containerAriaLabel={t("toast.region")}
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
          "--border-radius": "var(--radius)",
        } as CSSProperties
      }
      {...props}
    />
  );
}

export { Toaster };
