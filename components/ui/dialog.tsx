"use client";

import * as DialogPrimitive from "@radix-ui/react-dialog";
import { cva, type VariantProps } from "class-variance-authority";
import { XIcon } from "lucide-react";
import { useRef, type ComponentProps } from "react";

import { useT } from "@/components/i18n/i18n-provider";

import { Button } from "./button";
import { cn } from "./cn";

/*
 * Modal dialog on Radix: focus moves in and Tab stays inside, the rest of the page is hidden
 * from assistive technology and does not scroll, Esc or a click outside closes, and focus
 * returns to what opened it. Open state is controlled by the caller (`open`/`onOpenChange`);
 * with no Radix Dialog.Trigger, Radix would return focus nowhere, so DialogContent remembers
 * the element that had focus when it opened and gives focus back to it.
 */

const Dialog = DialogPrimitive.Root;

const dialogContentVariants = cva(
  "fixed z-50 bg-background text-foreground shadow-xl outline-none",
  {
    variants: {
      side: {
        center:
          "top-1/2 left-1/2 flex max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 animate-zoom-in flex-col gap-4 overflow-y-auto rounded-xl border p-6",
        // A full-height sheet (the mobile navigation); its content brings its own padding.
        left: "inset-y-0 left-0 flex h-dvh w-72 max-w-[85vw] animate-slide-in-left flex-col border-r",
      },
    },
    defaultVariants: { side: "center" },
  },
);

type DialogContentProps = ComponentProps<typeof DialogPrimitive.Content> &
  VariantProps<typeof dialogContentVariants> & {
    /** Hide the corner close button when the content has its own. */
    hideCloseButton?: boolean;
  };

function DialogContent({
  className,
  side,
  hideCloseButton = false,
  onOpenAutoFocus,
  onCloseAutoFocus,
  children,
  ...props
}: DialogContentProps) {
  const t = useT();
  const openerRef = useRef<HTMLElement | null>(null);
  return (
    <DialogPrimitive.Portal>
      <DialogPrimitive.Overlay
        data-slot="dialog-overlay"
        className="fixed inset-0 z-50 animate-fade-in bg-black/50 backdrop-blur-[2px]"
      />
      <DialogPrimitive.Content
        data-slot="dialog-content"
        className={cn(dialogContentVariants({ side }), className)}
        onOpenAutoFocus={(event) => {
          // Runs before focus moves in, so the active element is still the opener.
          openerRef.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
          onOpenAutoFocus?.(event);
        }}
        onCloseAutoFocus={(event) => {
          onCloseAutoFocus?.(event);
          const opener = openerRef.current;
          openerRef.current = null;
          if (event.defaultPrevented || !opener?.isConnected) return;
          event.preventDefault();
          opener.focus();
        }}
        {...props}
      >
        {children}
        {hideCloseButton ? null : (
          <DialogPrimitive.Close asChild>
            <Button variant="ghost" size="icon-sm" className="absolute top-3 right-3 text-muted-foreground">
              <XIcon aria-hidden />
              <span className="sr-only">{t("common.close")}</span>
            </Button>
          </DialogPrimitive.Close>
        )}
      </DialogPrimitive.Content>
    </DialogPrimitive.Portal>
  );
}

function DialogHeader({ className, ...props }: ComponentProps<"div">) {
  return (
    <div
      data-slot="dialog-header"
      className={cn("flex flex-col gap-1.5 pr-8 text-left", className)}
      {...props}
    />
  );
}

function DialogFooter({ className, ...props }: ComponentProps<"div">) {
  return (
    <div
      data-slot="dialog-footer"
      className={cn("mt-2 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end", className)}
      {...props}
    />
  );
}

function DialogTitle({ className, ...props }: ComponentProps<typeof DialogPrimitive.Title>) {
  return (
    <DialogPrimitive.Title
      data-slot="dialog-title"
      className={cn("text-lg leading-none font-semibold", className)}
      {...props}
    />
  );
}

function DialogDescription({ className, ...props }: ComponentProps<typeof DialogPrimitive.Description>) {
  return (
    <DialogPrimitive.Description
      data-slot="dialog-description"
      className={cn("text-sm text-muted-foreground", className)}
      {...props}
    />
  );
}

export { Dialog, DialogContent, DialogHeader, DialogFooter, DialogTitle, DialogDescription };
