"use client";

import { TriangleAlertIcon } from "lucide-react";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";

/** The body of every dashboard error.tsx: what happened, and a retry that re-renders the segment. */
export function SegmentError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState
      icon={TriangleAlertIcon}
      title="This page could not load"
      description={`${error.message && !error.digest ? error.message : "Something went wrong on our side."} Try again; if it keeps failing, the server log has the details${error.digest ? ` (reference ${error.digest})` : ""}.`}
      action={<Button onClick={reset}>Try again</Button>}
    />
  );
}
