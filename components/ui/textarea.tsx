import type { ComponentProps } from "react";

import { cn } from "./cn";
import { controlClassName } from "./input";

function Textarea({ className, ...props }: ComponentProps<"textarea">) {
  return (
    <textarea
      data-slot="textarea"
      className={cn(controlClassName, "field-sizing-content min-h-16 py-2", className)}
      {...props}
    />
  );
}

export { Textarea };
