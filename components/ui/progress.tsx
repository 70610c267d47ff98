import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";

import { cn } from "./cn";

const indicatorVariants = cva("h-full rounded-full transition-[width] duration-300", {
  variants: {
    tone: {
      default: "bg-primary",
      success: "bg-success",
      warning: "bg-warning",
      destructive: "bg-destructive",
    },
  },
  defaultVariants: { tone: "default" },
});

type Tone = NonNullable<VariantProps<typeof indicatorVariants>["tone"]>;

/* Where a load bar turns amber and red; matches how close a node is to refusing new users. */
const WARNING_RATIO = 0.75;
const CRITICAL_RATIO = 0.9;

function toneForRatio(ratio: number): Tone {
  if (ratio >= CRITICAL_RATIO) return "destructive";
  if (ratio >= WARNING_RATIO) return "warning";
  return "success";
}

type ProgressProps = Omit<ComponentProps<"div">, "children"> & {
  value: number;
  max?: number;
  /** "load" colours the bar by how full it is (green, amber, red). */
  tone?: Tone | "load";
  /** Accessible name, e.g. "Users on de-1". */
  label?: string;
};

function Progress({ value, max = 100, tone = "default", label, className, ...props }: ProgressProps) {
  const ratio = max > 0 ? Math.min(Math.max(value / max, 0), 1) : 0;
  const resolvedTone = tone === "load" ? toneForRatio(ratio) : tone;
  return (
    <div
      data-slot="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={value}
      className={cn("h-1.5 w-full overflow-hidden rounded-full bg-muted", className)}
      {...props}
    >
      <div
        data-slot="progress-indicator"
        className={indicatorVariants({ tone: resolvedTone })}
        style={{ width: `${ratio * 100}%` }}
      />
    </div>
  );
}

export { Progress, type ProgressProps };
