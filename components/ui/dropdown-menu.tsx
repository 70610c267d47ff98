"use client";

import * as DropdownMenuPrimitive from "@radix-ui/react-dropdown-menu";
import { CheckIcon } from "lucide-react";
import { createContext, useCallback, useContext, useRef, type ComponentProps } from "react";

import { Button, type ButtonProps } from "./button";
import { cn } from "./cn";

/*
 * Menu button on Radix (WAI-ARIA APG menu pattern): Enter, Space or an arrow opens it with
 * focus on an item, arrows/Home/End/typeahead move, Esc or choosing an item closes it and
 * returns focus to the trigger. The trigger is our Button, so call sites keep its variants.
 */

// An item's action runs once the menu has closed and focus is back on the menu's button. A
// dialog opened from an item then takes the button (not the vanished item) as the place to
// return focus to, and never overlaps the closing menu.
const ScheduleSelectContext = createContext<((select: (() => void) | undefined) => void) | null>(null);

/*
 * Not modal: a modal Radix menu hides the rest of the page with aria-hidden while its links and
 * buttons stay focusable, which axe-core reports as serious (aria-hidden-focus). The APG menu
 * button is not modal either: a click outside closes the menu and lands where it was aimed.
 */
function DropdownMenu(props: ComponentProps<typeof DropdownMenuPrimitive.Root>) {
  return <DropdownMenuPrimitive.Root modal={false} {...props} />;
}

// The open menu's button keeps a pressed look, so it is clear which menu is open.
function DropdownMenuTrigger({ className, ...props }: ButtonProps) {
  return (
    <DropdownMenuPrimitive.Trigger asChild>
      <Button
        data-slot="dropdown-menu-trigger"
        className={cn("aria-expanded:bg-accent aria-expanded:text-accent-foreground dark:aria-expanded:bg-accent/60", className)}
        {...props}
      />
    </DropdownMenuPrimitive.Trigger>
  );
}

function DropdownMenuContent({
  align = "end",
  sideOffset = 6,
  onCloseAutoFocus,
  className,
  children,
  ...props
}: ComponentProps<typeof DropdownMenuPrimitive.Content>) {
  const pendingSelectRef = useRef<(() => void) | undefined>(undefined);
  const scheduleSelect = useCallback((select: (() => void) | undefined) => {
    pendingSelectRef.current = select;
  }, []);
  return (
    <DropdownMenuPrimitive.Portal>
      <DropdownMenuPrimitive.Content
        data-slot="dropdown-menu-content"
        align={align}
        sideOffset={sideOffset}
        collisionPadding={6}
        className={cn(
          "z-50 max-h-(--radix-dropdown-menu-content-available-height) min-w-44 animate-fade-in overflow-y-auto rounded-lg border bg-popover p-1 text-left text-popover-foreground shadow-lg outline-none",
          className,
        )}
        onCloseAutoFocus={(event) => {
          onCloseAutoFocus?.(event);
          const select = pendingSelectRef.current;
          pendingSelectRef.current = undefined;
          // Radix focuses the trigger right after this handler returns.
          if (select) queueMicrotask(select);
        }}
        {...props}
      >
        <ScheduleSelectContext.Provider value={scheduleSelect}>{children}</ScheduleSelectContext.Provider>
      </DropdownMenuPrimitive.Content>
    </DropdownMenuPrimitive.Portal>
  );
}

const itemClassName =
  "relative flex w-full cursor-default items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm outline-none select-none data-highlighted:bg-accent data-highlighted:text-accent-foreground data-disabled:pointer-events-none data-disabled:opacity-50 [&_svg]:pointer-events-none [&_svg]:shrink-0 [&_svg:not([class*='size-'])]:size-4 [&_svg:not([class*='text-'])]:text-muted-foreground";

type DropdownMenuItemProps = Omit<ComponentProps<typeof DropdownMenuPrimitive.Item>, "onSelect"> & {
  /** Runs after the menu has closed (see ScheduleSelectContext). */
  onSelect?: () => void;
  variant?: "default" | "destructive";
};

function DropdownMenuItem({ onSelect, variant = "default", className, ...props }: DropdownMenuItemProps) {
  const scheduleSelect = useContext(ScheduleSelectContext);
  return (
    <DropdownMenuPrimitive.Item
      onSelect={() => scheduleSelect?.(onSelect)}
      data-slot="dropdown-menu-item"
      data-variant={variant}
      className={cn(
        itemClassName,
        variant === "destructive" &&
          "text-destructive data-highlighted:bg-destructive/10 data-highlighted:text-destructive [&_svg:not([class*='text-'])]:text-destructive",
        className,
      )}
      {...props}
    />
  );
}

function DropdownMenuRadioGroup(props: ComponentProps<typeof DropdownMenuPrimitive.RadioGroup>) {
  return <DropdownMenuPrimitive.RadioGroup data-slot="dropdown-menu-radio-group" {...props} />;
}

function DropdownMenuRadioItem({
  className,
  children,
  ...props
}: ComponentProps<typeof DropdownMenuPrimitive.RadioItem>) {
  return (
    <DropdownMenuPrimitive.RadioItem
      data-slot="dropdown-menu-radio-item"
      className={cn(itemClassName, "pr-8", className)}
      {...props}
    >
      {children}
      <DropdownMenuPrimitive.ItemIndicator className="absolute right-2 flex items-center">
        <CheckIcon aria-hidden className="size-4 text-foreground" />
      </DropdownMenuPrimitive.ItemIndicator>
    </DropdownMenuPrimitive.RadioItem>
  );
}

/** A heading inside the menu: what the items act on (a row's name, on a phone where the row is out of sight). */
function DropdownMenuLabel({ className, ...props }: ComponentProps<typeof DropdownMenuPrimitive.Label>) {
  return (
    <DropdownMenuPrimitive.Label
      data-slot="dropdown-menu-label"
      className={cn("max-w-64 truncate px-2 py-1.5 text-xs font-semibold text-muted-foreground", className)}
      {...props}
    />
  );
}

function DropdownMenuSeparator({ className, ...props }: ComponentProps<typeof DropdownMenuPrimitive.Separator>) {
  return (
    <DropdownMenuPrimitive.Separator
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
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
};
