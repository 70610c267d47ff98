"use client";

import { CheckIcon } from "lucide-react";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type ComponentProps,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
} from "react";

import { Button, type ButtonProps } from "./button";
import { cn } from "./cn";

/*
 * A small menu-button (WAI-ARIA APG pattern): the trigger opens a role="menu" list, focus
 * moves into it, arrows/Home/End move between items, Esc or Tab closes, and choosing an
 * item returns focus to the trigger.
 */

type MenuContextValue = {
  open: boolean;
  setOpen: (open: boolean) => void;
  close: (options?: { restoreFocus: boolean }) => void;
  triggerRef: RefObject<HTMLButtonElement | null>;
  triggerId: string;
  contentId: string;
};

const MenuContext = createContext<MenuContextValue | null>(null);

function useMenu(component: string) {
  const context = useContext(MenuContext);
  if (!context) throw new Error(`<${component}> must be used inside <DropdownMenu>`);
  return context;
}

const ITEM_SELECTOR = '[role^="menuitem"]:not(:disabled)';

function DropdownMenu({ className, children }: { className?: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const triggerId = useId();
  const contentId = useId();

  const close = useCallback((options?: { restoreFocus: boolean }) => {
    setOpen(false);
    if (options?.restoreFocus) triggerRef.current?.focus();
  }, []);

  useEffect(() => {
    if (!open) return;
    const handlePointerDown = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", handlePointerDown);
    return () => document.removeEventListener("pointerdown", handlePointerDown);
  }, [open]);

  const value = useMemo(
    () => ({ open, setOpen, close, triggerRef, triggerId, contentId }),
    [open, close, triggerId, contentId],
  );

  return (
    <MenuContext.Provider value={value}>
      <div ref={rootRef} data-slot="dropdown-menu" className={cn("inline-flex", className)}>
        {children}
      </div>
    </MenuContext.Provider>
  );
}

function DropdownMenuTrigger({ onClick, onKeyDown, ...props }: ButtonProps) {
  const { open, setOpen, triggerRef, triggerId, contentId } = useMenu("DropdownMenuTrigger");
  return (
    <Button
      ref={triggerRef}
      id={triggerId}
      data-slot="dropdown-menu-trigger"
      aria-haspopup="menu"
      aria-expanded={open}
      aria-controls={open ? contentId : undefined}
      onClick={(event) => {
        onClick?.(event);
        setOpen(!open);
      }}
      onKeyDown={(event) => {
        onKeyDown?.(event);
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          setOpen(true);
        }
      }}
      {...props}
    />
  );
}

type DropdownMenuContentProps = ComponentProps<"div"> & { align?: "start" | "end" };

const MENU_OFFSET_PX = 6;

function DropdownMenuContent({ align = "end", className, ...props }: DropdownMenuContentProps) {
  const { open, close, triggerRef, triggerId, contentId } = useMenu("DropdownMenuContent");
  const ref = useRef<HTMLDivElement>(null);

  // The list is a manual popover, so it sits in the top layer and is never clipped by a
  // scrolling ancestor (table wrappers, cards). It is placed against the trigger once, and
  // closed on scroll or resize rather than chasing the trigger around.
  useLayoutEffect(() => {
    const content = ref.current;
    const trigger = triggerRef.current;
    if (!open || !content || !trigger) return;
    content.showPopover();
    const rect = trigger.getBoundingClientRect();
    const fitsBelow = rect.bottom + MENU_OFFSET_PX + content.offsetHeight <= window.innerHeight;
    content.style.top = `${fitsBelow ? rect.bottom + MENU_OFFSET_PX : rect.top - MENU_OFFSET_PX - content.offsetHeight}px`;
    const left = align === "end" ? rect.right - content.offsetWidth : rect.left;
    content.style.left = `${Math.max(MENU_OFFSET_PX, left)}px`;
    content.querySelector<HTMLElement>(ITEM_SELECTOR)?.focus();

    const handleViewportChange = (event: Event) => {
      if (event.target instanceof Node && content.contains(event.target)) return;
      close();
    };
    window.addEventListener("resize", handleViewportChange);
    window.addEventListener("scroll", handleViewportChange, true);
    return () => {
      window.removeEventListener("resize", handleViewportChange);
      window.removeEventListener("scroll", handleViewportChange, true);
    };
  }, [open, align, close, triggerRef]);

  if (!open) return null;

  const handleKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const items = Array.from(ref.current?.querySelectorAll<HTMLElement>(ITEM_SELECTOR) ?? []);
    const index = items.indexOf(document.activeElement as HTMLElement);
    const focusAt = (next: number) => items[(next + items.length) % items.length]?.focus();
    switch (event.key) {
      case "ArrowDown":
        event.preventDefault();
        focusAt(index + 1);
        break;
      case "ArrowUp":
        event.preventDefault();
        focusAt(index - 1);
        break;
      case "Home":
        event.preventDefault();
        focusAt(0);
        break;
      case "End":
        event.preventDefault();
        focusAt(items.length - 1);
        break;
      case "Escape":
        event.preventDefault();
        close({ restoreFocus: true });
        break;
      case "Tab":
        close();
        break;
    }
  };

  return (
    <div
      ref={ref}
      id={contentId}
      popover="manual"
      role="menu"
      aria-labelledby={triggerId}
      data-slot="dropdown-menu-content"
      onKeyDown={handleKeyDown}
      className={cn(
        "fixed inset-auto m-0 min-w-44 animate-fade-in rounded-lg border bg-popover p-1 text-left text-popover-foreground shadow-lg outline-none",
        className,
      )}
      {...props}
    />
  );
}

const itemClassName =
  "relative flex w-full cursor-default items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm outline-none select-none hover:bg-accent hover:text-accent-foreground focus-visible:bg-accent focus-visible:text-accent-foreground disabled:pointer-events-none disabled:opacity-50 [&_svg]:pointer-events-none [&_svg]:shrink-0 [&_svg:not([class*='size-'])]:size-4 [&_svg:not([class*='text-'])]:text-muted-foreground";

type DropdownMenuItemProps = Omit<ComponentProps<"button">, "onSelect"> & {
  onSelect?: () => void;
  variant?: "default" | "destructive";
};

function DropdownMenuItem({
  onSelect,
  onClick,
  variant = "default",
  className,
  ...props
}: DropdownMenuItemProps) {
  const { close } = useMenu("DropdownMenuItem");
  return (
    <button
      type="button"
      role="menuitem"
      tabIndex={-1}
      data-slot="dropdown-menu-item"
      data-variant={variant}
      className={cn(
        itemClassName,
        variant === "destructive" &&
          "text-destructive hover:bg-destructive/10 hover:text-destructive focus-visible:bg-destructive/10 focus-visible:text-destructive [&_svg:not([class*='text-'])]:text-destructive",
        className,
      )}
      onClick={(event) => {
        onClick?.(event);
        onSelect?.();
        close({ restoreFocus: true });
      }}
      {...props}
    />
  );
}

type RadioGroupContextValue = { value: string; onValueChange: (value: string) => void };
const RadioGroupContext = createContext<RadioGroupContextValue | null>(null);

type DropdownMenuRadioGroupProps = Omit<ComponentProps<"div">, "onChange"> & RadioGroupContextValue;

function DropdownMenuRadioGroup({ value, onValueChange, ...props }: DropdownMenuRadioGroupProps) {
  const context = useMemo(() => ({ value, onValueChange }), [value, onValueChange]);
  return (
    <RadioGroupContext.Provider value={context}>
      <div role="group" data-slot="dropdown-menu-radio-group" {...props} />
    </RadioGroupContext.Provider>
  );
}

type DropdownMenuRadioItemProps = Omit<ComponentProps<"button">, "value"> & { value: string };

function DropdownMenuRadioItem({ value, className, children, ...props }: DropdownMenuRadioItemProps) {
  const { close } = useMenu("DropdownMenuRadioItem");
  const group = useContext(RadioGroupContext);
  if (!group) throw new Error("<DropdownMenuRadioItem> must be used inside <DropdownMenuRadioGroup>");
  const isChecked = group.value === value;
  return (
    <button
      type="button"
      role="menuitemradio"
      aria-checked={isChecked}
      tabIndex={-1}
      data-slot="dropdown-menu-radio-item"
      className={cn(itemClassName, "pr-8", className)}
      onClick={() => {
        group.onValueChange(value);
        close({ restoreFocus: true });
      }}
      {...props}
    >
      {children}
      {isChecked ? (
        <CheckIcon aria-hidden className="absolute right-2 size-4 text-foreground" />
      ) : null}
    </button>
  );
}

function DropdownMenuLabel({ className, ...props }: ComponentProps<"div">) {
  return (
    <div
      data-slot="dropdown-menu-label"
      className={cn("px-2 py-1.5 text-xs font-medium text-muted-foreground", className)}
      {...props}
    />
  );
}

function DropdownMenuSeparator({ className, ...props }: ComponentProps<"div">) {
  return (
    <div
      role="separator"
      data-slot="dropdown-menu-separator"
      className={cn("-mx-1 my-1 h-px bg-border", className)}
      {...props}
    />
  );
}

export {
  DropdownMenu,
  DropdownMenuTrigger,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
};
