"use client";

import { TriangleAlertIcon } from "lucide-react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** The body of every dashboard error.tsx: what happened, and a retry that re-renders the segment. */
export function SegmentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useT();
  // A message without a digest came from our own code (English, like all server errors); a digest hides it.
  const message = error.message && !error.digest ? error.message : t("error.generic");
  const reference = error.digest ? t("error.reference", { digest: error.digest }) : "";
  return (
    <EmptyState
      icon={TriangleAlertIcon}
      title={t("error.title")}
      description={t("error.description", { message, reference })}
      action={<Button onClick={reset}>{t("error.retry")}</Button>}
    />
  );
}
