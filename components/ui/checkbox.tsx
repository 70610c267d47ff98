import { CheckIcon } from "lucide-react";
import type { ComponentProps } from "react";

import { cn } from "./cn";

type CheckboxProps = Omit<ComponentProps<"input">, "type">;

/** A native checkbox drawn over: it stays a real form control with native semantics. */
function Checkbox({ className, ...props }: CheckboxProps) {
  return (
    <span data-slot="checkbox" className={cn("relative inline-flex size-4 shrink-0", className)}>
      <input
        type="checkbox"
        className="peer size-4 shrink-0 appearance-none rounded-[4px] border border-input shadow-xs transition-shadow outline-none checked:border-primary checked:bg-primary focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:cursor-not-allowed disabled:opacity-50 aria-invalid:border-destructive dark:bg-input/30 dark:checked:bg-primary"
        {...props}
      />
      <CheckIcon
        aria-hidden
        strokeWidth={3}
        className="pointer-events-none absolute inset-0 m-auto size-3 text-primary-foreground opacity-0 peer-checked:opacity-100"
      />
    </span>
  );
}

export { Checkbox };
