import type { ComponentProps } from "react";

import { cn } from "./cn";
import { ScrollRegion } from "./scroll-region";

/**
 * The wrapper scrolls sideways so wide tables never widen the page (and is then a focusable
 * region named like the table, see ScrollRegion). A `stacked` table turns into a
 * list of cards on phones instead (app/globals.css): each cell on its own, named by the
 * `data-label` it carries (its column's heading); `data-cell="title"` spans the card's width,
 * `data-cell="actions"` sits in its top right corner, `data-cell="select"` (a row's checkbox, its
 * cell unpadded on phones, `max-sm:p-0`) beside the title (which leaves it room, `max-sm:pl-9`),
 * and `data-cell="wide"` takes a line of its own (a long value such as a key). In a card values
 * wrap (a long name breaks anywhere) and an empty named cell is left out.
 */
function Table({ className, stacked = false, ...props }: ComponentProps<"table"> & { stacked?: boolean }) {
  return (
    <ScrollRegion
      data-slot="table-container"
      label={props["aria-label"]}
      className="relative w-full overflow-x-auto outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
    >
      <table
        data-slot="table"
        data-variant={stacked ? "stacked" : undefined}
        className={cn("w-full caption-bottom text-sm", className)}
        {...props}
      />
    </ScrollRegion>
  );
}

function TableHeader({ className, ...props }: ComponentProps<"thead">) {
  return (
    <thead
      data-slot="table-header"
      className={cn("bg-muted/50 [&_tr]:border-b", className)}
      {...props}
    />
  );
}

function TableBody({ className, ...props }: ComponentProps<"tbody">) {
  return (
    // The last row has no rule under it, but on a phone a stacked table's last card keeps its border.
    <tbody
      data-slot="table-body"
      className={cn("[&_tr:last-child]:border-0 max-sm:in-data-[variant=stacked]:[&_tr:last-child]:border", className)}
      {...props}
    />
  );
}

function TableFooter({ className, ...props }: ComponentProps<"tfoot">) {
  return (
    <tfoot
      data-slot="table-footer"
      className={cn("border-t bg-muted/50 font-medium [&>tr]:last:border-b-0", className)}
      {...props}
    />
  );
}

function TableRow({ className, ...props }: ComponentProps<"tr">) {
  return (
    <tr
      data-slot="table-row"
      className={cn(
        "border-b transition-colors hover:bg-muted/40 data-[state=selected]:bg-muted",
        className,
      )}
      {...props}
    />
  );
}

function TableHead({ className, ...props }: ComponentProps<"th">) {
  return (
    <th
      data-slot="table-head"
      className={cn(
        "h-10 px-3 text-left align-middle text-xs font-medium whitespace-nowrap text-muted-foreground [&:has([role=checkbox])]:w-px",
        className,
      )}
      {...props}
    />
  );
}

function TableCell({ className, ...props }: ComponentProps<"td">) {
  return (
    <td
      data-slot="table-cell"
      className={cn("px-3 py-2.5 align-middle whitespace-nowrap max-sm:in-data-[variant=stacked]:whitespace-normal", className)}
      {...props}
    />
  );
}

function TableCaption({ className, ...props }: ComponentProps<"caption">) {
  return (
    <caption
      data-slot="table-caption"
      className={cn("mt-4 text-sm text-muted-foreground", className)}
      {...props}
    />
  );
}

export { Table, TableHeader, TableBody, TableFooter, TableHead, TableRow, TableCell, TableCaption };
