import { cva, type VariantProps } from "class-variance-authority";
import type { ComponentProps } from "react";

import { cn } from "./cn";

/*
 * Status variants tint the background with the state's own colour and keep text readable
 * in both themes; the dot (see `dot`) carries the colour for colour-blind-safe scanning
 * together with the label.
 */
const badgeVariants = cva(
  "inline-flex w-fit shrink-0 items-center justify-center gap-1.5 overflow-hidden rounded-md border px-2 py-0.5 text-xs font-medium whitespace-nowrap transition-colors [&>svg]:pointer-events-none [&>svg]:size-3",
  {
    variants: {
      variant: {
        default: "border-transparent bg-primary text-primary-foreground",
        secondary: "border-transparent bg-secondary text-secondary-foreground",
        outline: "text-foreground",
        destructive: "border-transparent bg-destructive/10 text-destructive",
        success: "border-transparent bg-success/12 text-success",
        warning:
          "border-transparent bg-warning/15 text-[color-mix(in_oklch,var(--warning)_70%,var(--foreground))]",

        healthy: "border-health-healthy/25 bg-health-healthy/10 text-foreground",
        degraded: "border-health-degraded/35 bg-health-degraded/12 text-foreground",
        unhealthy: "border-health-unhealthy/30 bg-health-unhealthy/10 text-foreground",
        auth_error: "border-health-auth-error/30 bg-health-auth-error/10 text-foreground",
        misconfigured: "border-health-misconfigured/35 bg-health-misconfigured/10 text-foreground",
        unknown: "border-border bg-muted text-muted-foreground",

        active: "border-success/25 bg-success/10 text-foreground",
        draining: "border-warning/35 bg-warning/12 text-foreground",
        disabled: "border-border bg-muted text-muted-foreground",
      },
    },
    defaultVariants: { variant: "default" },
  },
);

const dotClassName: Partial<Record<NonNullable<BadgeVariant>, string>> = {
  healthy: "bg-health-healthy",
  degraded: "bg-health-degraded",
  unhealthy: "bg-health-unhealthy",
  auth_error: "bg-health-auth-error",
  misconfigured: "bg-health-misconfigured",
  unknown: "bg-health-unknown",
  active: "bg-success",
  draining: "bg-warning",
  disabled: "bg-muted-foreground/60",
  success: "bg-success",
  warning: "bg-warning",
  destructive: "bg-destructive",
};

type BadgeVariant = VariantProps<typeof badgeVariants>["variant"];

type BadgeProps = ComponentProps<"span"> &
  VariantProps<typeof badgeVariants> & {
    /** Show a leading status dot in the variant's colour. */
    dot?: boolean;
  };

function Badge({ className, variant, dot = false, children, ...props }: BadgeProps) {
  const dotColor = variant ? dotClassName[variant] : undefined;
  return (
    <span
      data-slot="badge"
      data-variant={variant ?? "default"}
      className={cn(badgeVariants({ variant }), className)}
      {...props}
    >
      {dot && dotColor ? (
        <span aria-hidden className={cn("size-1.5 shrink-0 rounded-full", dotColor)} />
      ) : null}
      {children}
    </span>
  );
}

export { Badge, badgeVariants, type BadgeProps, type BadgeVariant };
