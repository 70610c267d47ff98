import type { ComponentProps } from "react";

import { cn } from "./cn";

type SwitchProps = Omit<ComponentProps<"input">, "type" | "role">;

/** A checkbox with role="switch": announced as on/off and still submitted with forms. */
function Switch({ className, ...props }: SwitchProps) {
  return (
    <span data-slot="switch" className={cn("relative inline-flex h-5 w-9 shrink-0", className)}>
      <input
        type="checkbox"
        role="switch"
        className="peer h-5 w-9 appearance-none rounded-full bg-input shadow-xs transition-colors outline-none checked:bg-primary focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:cursor-not-allowed disabled:opacity-50"
        {...props}
      />
      <span
        aria-hidden
        className="pointer-events-none absolute top-0.5 left-0.5 size-4 rounded-full bg-background shadow-sm transition-transform peer-checked:translate-x-4 dark:bg-foreground dark:peer-checked:bg-primary-foreground"
      />
    </span>
  );
}

export { Switch };
