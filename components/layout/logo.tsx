import { cn } from "@/components/ui/cn";

/** The product mark: a small mesh of nodes around a hub, on the primary colour. */
function LogoMark({ className }: { className?: string }) {
  return (
    <svg
      viewBox="0 0 32 32"
      aria-hidden
      focusable="false"
      data-slot="logo-mark"
      className={cn("size-8 shrink-0", className)}
    >
      <rect width="32" height="32" rx="8" className="fill-primary" />
      <g className="stroke-primary-foreground" strokeWidth="1.75" strokeLinecap="round" opacity="0.65">
        <path d="M9.5 10.5 22.5 10.5 16 22.5Z" fill="none" />
        <path d="M16 15.5 9.5 10.5M16 15.5 22.5 10.5M16 15.5V22.5" />
      </g>
      <g className="fill-primary-foreground">
        <circle cx="9.5" cy="10.5" r="2.6" />
        <circle cx="22.5" cy="10.5" r="2.6" />
        <circle cx="16" cy="22.5" r="2.6" />
        <circle cx="16" cy="15.5" r="3.2" />
      </g>
    </svg>
  );
}

type LogoProps = {
  name: string;
  tagline?: string;
  className?: string;
};

/** Mark plus wordmark; the name is a prop so it can be translated or rebranded. */
function Logo({ name, tagline, className }: LogoProps) {
  return (
    <span data-slot="logo" className={cn("flex min-w-0 items-center gap-2.5", className)}>
      <LogoMark />
      <span className="flex min-w-0 flex-col leading-tight">
        <span className="truncate text-sm font-semibold tracking-tight">{name}</span>
        {tagline ? (
          <span className="truncate text-xs text-muted-foreground">{tagline}</span>
        ) : null}
      </span>
    </span>
  );
}

export { Logo, LogoMark };
