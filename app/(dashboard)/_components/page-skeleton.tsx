"use client";

import { useT } from "@/components/i18n/i18n-provider";
import { Skeleton } from "@/components/ui/skeleton";

/** Placeholder with the page's shape (header, a row of cards, a table or chart block) so nothing jumps when data lands. */
export function PageSkeleton({ cards = 0, rows = 8 }: { cards?: number; rows?: number }) {
  const t = useT();
  return (
    <div className="flex flex-col gap-6" aria-busy="true" aria-label={t("common.loading")}>
      <div className="space-y-2">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-4 w-96 max-w-full" />
      </div>
      {cards > 0 ? (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          {Array.from({ length: cards }, (_, i) => (
            <Skeleton key={i} className="h-32 rounded-xl" />
          ))}
        </div>
      ) : null}
      <div className="grid gap-2 rounded-xl border p-4">
        {Array.from({ length: rows }, (_, i) => (
          <Skeleton key={i} className="h-9 w-full" />
        ))}
      </div>
    </div>
  );
}
