"use client";

import * as TooltipPrimitive from "@radix-ui/react-tooltip";
import type { ReactElement, ReactNode } from "react";

import { cn } from "./cn";

type TooltipProps = {
  content: ReactNode;
  /** One focusable element (usually an icon button); it gets aria-describedby while shown. */
  children: ReactElement;
  side?: "top" | "bottom" | "left" | "right";
  className?: string;
};

/*
 * A short hint on Radix: shown on hover (after a short delay) and on keyboard focus, hidden on
 * Esc, linked to its button with aria-describedby. Anything interactive belongs in a dialog.
 */
function Tooltip({ content, children, side = "top", className }: TooltipProps) {
  return (
    <TooltipPrimitive.Provider delayDuration={300}>
      <TooltipPrimitive.Root>
        <TooltipPrimitive.Trigger asChild>{children}</TooltipPrimitive.Trigger>
        <TooltipPrimitive.Portal>
          <TooltipPrimitive.Content
            data-slot="tooltip-content"
            side={side}
            sideOffset={6}
            collisionPadding={6}
            className={cn(
              "z-50 w-max max-w-64 animate-fade-in rounded-md bg-foreground px-2 py-1 text-xs text-background shadow-md",
              className,
            )}
          >
            {content}
          </TooltipPrimitive.Content>
        </TooltipPrimitive.Portal>
      </TooltipPrimitive.Root>
    </TooltipPrimitive.Provider>
  );
}

export { Tooltip, type TooltipProps };
