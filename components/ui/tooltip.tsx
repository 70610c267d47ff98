import { cloneElement, useId, type ReactElement, type ReactNode } from "react";

import { cn } from "./cn";

type TooltipProps = {
  content: ReactNode;
  /** One focusable element (usually an icon button); it gets aria-describedby. */
  children: ReactElement<{ "aria-describedby"?: string }>;
  side?: "top" | "bottom";
  className?: string;
};

/*
 * CSS-only tooltip: shown on hover and on keyboard focus, linked with aria-describedby.
 * Good for short hints on icon buttons; anything interactive belongs in a popover.
 */
function Tooltip({ content, children, side = "top", className }: TooltipProps) {
  const id = useId();
  const describedBy = [children.props["aria-describedby"], id].filter(Boolean).join(" ");
  return (
    <span data-slot="tooltip-trigger" className="group/tooltip relative inline-flex">
      {cloneElement(children, { "aria-describedby": describedBy })}
      <span
        id={id}
        role="tooltip"
        data-side={side}
        className={cn(
          "pointer-events-none invisible absolute left-1/2 z-50 w-max max-w-64 -translate-x-1/2 rounded-md bg-foreground px-2 py-1 text-xs text-background opacity-0 shadow-md transition-opacity",
          "group-focus-within/tooltip:visible group-focus-within/tooltip:opacity-100 group-hover/tooltip:visible group-hover/tooltip:opacity-100 group-hover/tooltip:delay-300",
          side === "top" ? "bottom-full mb-1.5" : "top-full mt-1.5",
          className,
        )}
      >
        {content}
      </span>
    </span>
  );
}

export { Tooltip, type TooltipProps };
