"use client";

import { Loader2Icon } from "lucide-react";
import { useId, useState, type ReactNode } from "react";

import { useT } from "@/components/i18n/i18n-provider";

import { Button } from "./button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "./dialog";
import { Input } from "./input";
import { Label } from "./label";

type ConfirmDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  /**
   * Runs on confirm. If it returns a promise the button shows progress and the dialog
   * closes when it resolves; on rejection it stays open (report the error with a toast).
   */
  onConfirm: () => void | Promise<unknown>;
  confirmLabel?: ReactNode;
  cancelLabel?: ReactNode;
  variant?: "default" | "destructive";
  /** For irreversible actions: the admin must type this text (e.g. the node name) first. */
  confirmationText?: string;
  /** Extra content between the description and the buttons (a summary, a warning). */
  children?: ReactNode;
  /** Keeps the confirm button off, e.g. until the impact the dialog states has loaded. */
  isConfirmDisabled?: boolean;
};

function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  onConfirm,
  confirmLabel,
  cancelLabel,
  variant = "default",
  confirmationText,
  children,
  isConfirmDisabled = false,
}: ConfirmDialogProps) {
  const t = useT();
  const inputId = useId();
  const [typed, setTyped] = useState("");
  const [isPending, setIsPending] = useState(false);

  const handleOpenChange = (next: boolean) => {
    if (isPending) return;
    if (!next) setTyped("");
    onOpenChange(next);
  };

  const handleConfirm = async () => {
    setIsPending(true);
    try {
      await onConfirm();
      setTyped("");
      onOpenChange(false);
    } catch {
      // The caller reports the failure; keeping the dialog open lets the admin retry.
    } finally {
      setIsPending(false);
    }
  };

  const isBlocked = isConfirmDisabled || (confirmationText !== undefined && typed !== confirmationText);

  return (
    <Dialog open={open} onOpenChange={handleOpenChange}>
      <DialogContent hideCloseButton role="alertdialog">
        <DialogHeader className="pr-0">
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        {children}
        {confirmationText !== undefined ? (
          <div className="grid gap-2">
            <Label htmlFor={inputId} className="font-normal text-muted-foreground">
              {t("common.typeToConfirm", { text: confirmationText })}
            </Label>
            <Input
              id={inputId}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
            />
          </div>
        ) : null}
        <DialogFooter>
          <Button variant="outline" disabled={isPending} onClick={() => handleOpenChange(false)}>
            {cancelLabel ?? t("common.cancel")}
          </Button>
          <Button
            variant={variant === "destructive" ? "destructive" : "default"}
            disabled={isBlocked || isPending}
            aria-busy={isPending}
            onClick={handleConfirm}
          >
            {isPending ? <Loader2Icon aria-hidden className="animate-spin" /> : null}
            {confirmLabel ?? t("common.confirm")}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

export { ConfirmDialog, type ConfirmDialogProps };
