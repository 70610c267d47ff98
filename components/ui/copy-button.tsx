"use client";

import { CheckIcon, CopyIcon } from "lucide-react";
import { useEffect, useState } from "react";
import { toast } from "sonner";

import { useT } from "@/components/i18n/i18n-provider";

import { Button, type ButtonProps } from "./button";
import { Tooltip } from "./tooltip";

const COPIED_FEEDBACK_MS = 2000;

type CopyButtonProps = Omit<ButtonProps, "onClick" | "children"> & {
  value: string;
  /** Visible text; without it the button is icon-only with an accessible "Copy" name. */
  label?: string;
};

function CopyButton({ value, label, variant = "outline", size, ...props }: CopyButtonProps) {
  const t = useT();
  const [isCopied, setIsCopied] = useState(false);

  useEffect(() => {
    if (!isCopied) return;
    const timeout = setTimeout(() => setIsCopied(false), COPIED_FEEDBACK_MS);
    return () => clearTimeout(timeout);
  }, [isCopied]);

  const handleCopy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setIsCopied(true);
    } catch {
      toast.error(t("common.copyFailed"));
    }
  };

  const Icon = isCopied ? CheckIcon : CopyIcon;

  const button = (
    <Button
      data-slot="copy-button"
      variant={variant}
      size={size ?? (label ? "sm" : "icon-sm")}
      onClick={handleCopy}
      {...props}
    >
      <Icon aria-hidden className={isCopied ? "text-success" : undefined} />
      {label ?? <span className="sr-only">{t("common.copy")}</span>}
      <span aria-live="polite" className="sr-only">
        {isCopied ? t("common.copied") : ""}
      </span>
    </Button>
  );
  // Icon-only: the tooltip shows sighted pointer users the name screen readers already hear.
  return label ? button : <Tooltip content={props["aria-label"] ?? t("common.copy")}>{button}</Tooltip>;
}

export { CopyButton, type CopyButtonProps };
