"use client";

import { cva, type VariantProps } from "class-variance-authority";
import { XIcon } from "lucide-react";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type ComponentProps,
  type MouseEvent,
  type ReactNode,
  type SyntheticEvent,
} from "react";

import { useT } from "@/components/i18n/i18n-provider";

import { Button, type ButtonProps } from "./button";
import { cn } from "./cn";

/*
 * Built on the native <dialog> opened with showModal(): the browser makes the rest of the
 * page inert (focus stays inside), puts it in the top layer, handles Esc, and returns focus
 * to the opener on close. React state stays the single source of truth for `open`.
 */

type DialogContextValue = {
  open: boolean;
  setOpen: (open: boolean) => void;
  titleId: string;
  descriptionId: string;
};

const DialogContext = createContext<DialogContextValue | null>(null);

function useDialog(component: string) {
  const context = useContext(DialogContext);
  if (!context) throw new Error(`<${component}> must be used inside <Dialog>`);
  return context;
}

type DialogProps = {
  /** Controlled open state; leave out (with `defaultOpen`) to let a DialogTrigger drive it. */
  open?: boolean;
  defaultOpen?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
};

function Dialog({ open: openProp, defaultOpen = false, onOpenChange, children }: DialogProps) {
  const [uncontrolledOpen, setUncontrolledOpen] = useState(defaultOpen);
  const open = openProp ?? uncontrolledOpen;
  const setOpen = useCallback(
    (next: boolean) => {
      if (openProp === undefined) setUncontrolledOpen(next);
      onOpenChange?.(next);
    },
    [openProp, onOpenChange],
  );
  const titleId = useId();
  const descriptionId = useId();
  const value = useMemo(
    () => ({ open, setOpen, titleId, descriptionId }),
    [open, setOpen, titleId, descriptionId],
  );
  return <DialogContext.Provider value={value}>{children}</DialogContext.Provider>;
}

function DialogTrigger({ onClick, ...props }: ButtonProps) {
  const { open, setOpen } = useDialog("DialogTrigger");
  return (
    <Button
      data-slot="dialog-trigger"
      aria-haspopup="dialog"
      aria-expanded={open}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) setOpen(true);
      }}
      {...props}
    />
  );
}

const dialogContentVariants = cva(
  "m-auto bg-background p-0 text-foreground shadow-xl outline-none backdrop:bg-black/50 backdrop:backdrop-blur-[2px] open:backdrop:animate-fade-in",
  {
    variants: {
      side: {
        center:
          "w-[calc(100%-2rem)] max-w-lg rounded-xl border open:animate-zoom-in max-h-[calc(100dvh-2rem)]",
        // A full-height sheet (the mobile navigation); its content brings its own padding.
        left: "my-0 ml-0 h-dvh max-h-dvh w-72 max-w-[85vw] border-r open:animate-slide-in-left",
      },
    },
    defaultVariants: { side: "center" },
  },
);

type DialogContentProps = Omit<ComponentProps<"dialog">, "open"> &
  VariantProps<typeof dialogContentVariants> & {
    /** Hide the corner close button when the content has its own. */
    hideCloseButton?: boolean;
  };

function DialogContent({
  className,
  side,
  hideCloseButton = false,
  children,
  ...props
}: DialogContentProps) {
  const { open, setOpen, titleId, descriptionId } = useDialog("DialogContent");
  const ref = useRef<HTMLDialogElement>(null);
  const t = useT();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  // Esc fires `cancel`; keep the element open until React state says otherwise.
  const handleCancel = (event: SyntheticEvent<HTMLDialogElement>) => {
    event.preventDefault();
    setOpen(false);
  };

  // A click whose target is the <dialog> itself landed on the backdrop, outside the panel.
  const handleClick = (event: MouseEvent<HTMLDialogElement>) => {
    if (event.target === event.currentTarget) setOpen(false);
  };

  return (
    <dialog
      ref={ref}
      data-slot="dialog-content"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      onCancel={handleCancel}
      onClose={() => {
        // Also covers closes React did not start, e.g. a <form method="dialog"> submit.
        if (open) setOpen(false);
      }}
      onClick={handleClick}
      className={cn(dialogContentVariants({ side }), className)}
      {...props}
    >
      {open ? (
        <div className={cn("relative flex h-full flex-col", side !== "left" && "gap-4 p-6")}>
          {children}
          {hideCloseButton ? null : (
            <Button
              variant="ghost"
              size="icon-sm"
              className="absolute top-3 right-3 text-muted-foreground"
              onClick={() => setOpen(false)}
            >
              <XIcon aria-hidden />
              <span className="sr-only">{t("common.close")}</span>
            </Button>
          )}
        </div>
      ) : null}
    </dialog>
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

function DialogTitle({ className, ...props }: Omit<ComponentProps<"h2">, "id">) {
  const { titleId } = useDialog("DialogTitle");
  return (
    <h2
      id={titleId}
      data-slot="dialog-title"
      className={cn("text-lg leading-none font-semibold", className)}
      {...props}
    />
  );
}

function DialogDescription({ className, ...props }: Omit<ComponentProps<"p">, "id">) {
  const { descriptionId } = useDialog("DialogDescription");
  return (
    <p
      id={descriptionId}
      data-slot="dialog-description"
      className={cn("text-sm text-muted-foreground", className)}
      {...props}
    />
  );
}

/** A button that closes the dialog (after its own onClick, unless that prevents default). */
function DialogClose({ onClick, variant = "outline", ...props }: ButtonProps) {
  const { setOpen } = useDialog("DialogClose");
  return (
    <Button
      data-slot="dialog-close"
      variant={variant}
      onClick={(event) => {
        onClick?.(event);
        if (!event.defaultPrevented) setOpen(false);
      }}
      {...props}
    />
  );
}

export {
  Dialog,
  DialogTrigger,
  DialogContent,
  DialogHeader,
  DialogFooter,
  DialogTitle,
  DialogDescription,
  DialogClose,
  type DialogProps,
};
