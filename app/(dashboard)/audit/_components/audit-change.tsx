"use client";

import { useState } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";

/** The before/after of one audit row, folded until asked for (rows stay one line high). */
export function AuditChange({ before, after }: { before: unknown; after: unknown }) {
  const t = useT();
  const [isOpen, setIsOpen] = useState(false);
  if (before == null && after == null) return <span className="text-muted-foreground">—</span>;
  return (
    <div className="grid gap-2">
      <Button variant="link" size="sm" className="h-auto w-fit p-0" aria-expanded={isOpen} onClick={() => setIsOpen(!isOpen)}>
        {t(isOpen ? "audit.hideChange" : "audit.showChange")}
      </Button>
      {isOpen ? (
        <div className="grid gap-2 sm:grid-cols-2">
          {[
            [t("audit.before"), before],
            [t("audit.after"), after],
          ].map(([label, value]) => (
            <div key={String(label)} className="grid gap-1">
              <span className="text-xs font-medium text-muted-foreground">{String(label)}</span>
              <pre className="max-h-64 max-w-md overflow-auto rounded-md bg-muted p-2 font-mono text-[11px] whitespace-pre-wrap">
                {value == null ? "—" : JSON.stringify(value, null, 2)}
              </pre>
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
