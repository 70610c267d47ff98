import { ChevronDownIcon } from "lucide-react";
import type { ComponentProps } from "react";

import { cn } from "./cn";
import { controlClassName } from "./input";

/**
 * A styled native <select>: keyboard, screen-reader and mobile behaviour come from the
 * browser, and it posts with forms. Pass <option> children as usual.
 */
function Select({ className, ...props }: ComponentProps<"select">) {
  return (
    <div data-slot="select-wrapper" className={cn("relative w-full", className)}>
      <select
        data-slot="select"
        className={cn(controlClassName, "h-9 appearance-none py-1 pr-9")}
        {...props}
      />
      <ChevronDownIcon
        aria-hidden
        className="pointer-events-none absolute top-1/2 right-3 size-4 -translate-y-1/2 text-muted-foreground"
      />
    </div>
  );
}

export { Select };
