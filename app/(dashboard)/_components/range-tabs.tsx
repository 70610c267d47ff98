"use client";

import { createContext, useContext, type ReactNode } from "react";

import { useT } from "@/components/i18n/i18n-provider";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";

/** The chart windows the health history serves: raw checks for 24 h, hourly roll-ups beyond. */
export type Range = "24h" | "7d" | "30d";
const RANGES: readonly Range[] = ["24h", "7d", "30d"];

const RangeContext = createContext<Range | null>(null);

/**
 * The range as tabs over the charts it drives: put RangeTabsList and RangeTabsPanel anywhere
 * inside. The root has no box of its own (display: contents), so the page or card keeps its
 * layout.
 */
export function RangeTabs({ value, onChange, children }: { value: Range; onChange: (range: Range) => void; children: ReactNode }) {
  return (
    <RangeContext.Provider value={value}>
      <Tabs value={value} onValueChange={(next) => onChange(next as Range)} className="contents">
        {children}
      </Tabs>
    </RangeContext.Provider>
  );
}

/** `label` names the tab list when a page has several ranges (the traffic charts beside the health charts). */
export function RangeTabsList({ label }: { label?: string }) {
  const t = useT();
  return (
    <TabsList aria-label={label ?? t("range.label")}>
      {RANGES.map((range) => (
        <TabsTrigger key={range} value={range}>
          {t(`range.${range}`)}
        </TabsTrigger>
      ))}
    </TabsList>
  );
}

/**
 * The selected range's tab panel, holding the charts. The other ranges get empty hidden panels
 * so every tab controls an element that exists: Radix renders an unselected panel only when
 * force-mounted, and then shows it unless told `hidden`. The charts sit under a fixed key, so
 * they stay mounted (and keep the previous data on screen) while the range changes.
 */
export function RangeTabsPanel({ className, children }: { className?: string; children: ReactNode }) {
  const selected = useContext(RangeContext);
  if (!selected) throw new Error("<RangeTabsPanel> must be used inside <RangeTabs>");
  return (
    <>
      <TabsContent key="selected" value={selected} className={className}>
        {children}
      </TabsContent>
      {RANGES.filter((range) => range !== selected).map((range) => (
        <TabsContent key={range} value={range} forceMount hidden />
      ))}
    </>
  );
}
