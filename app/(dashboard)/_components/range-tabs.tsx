"use client";

import { useT } from "@/components/i18n/i18n-provider";
import { Tabs, TabsList, TabsTrigger } from "@/components/ui/tabs";

/** The chart windows the health history serves: raw checks for 24 h, hourly roll-ups beyond. */
export type Range = "24h" | "7d" | "30d";
const RANGES: readonly Range[] = ["24h", "7d", "30d"];

export function RangeTabs({ value, onChange }: { value: Range; onChange: (range: Range) => void }) {
  const t = useT();
  return (
    <Tabs value={value} onValueChange={(v) => onChange(v as Range)}>
      <TabsList aria-label={t("range.label")}>
        {RANGES.map((r) => (
          <TabsTrigger key={r} value={r}>
            {t(`range.${r}`)}
          </TabsTrigger>
        ))}
      </TabsList>
    </Tabs>
  );
}
