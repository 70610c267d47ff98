"use client";

import { useCallback, useMemo, useState } from "react";

import { useLocale } from "@/components/i18n/i18n-provider";

import { CHART_MARGIN } from "./chart";
import { timeAxis, type TimeTick } from "./time-axis";

/** Width one tick label needs ("12:00 PM", "28 нояб."), with air between labels. */
const TICK_ROOM_PX = 84;
/** Below this width the gutter shrinks: phones. */
const NARROW_PX = 480;

export type TimeAxisLayout = {
  /** Left of the plot: the y-axis ticks of a chart, the row names of a timeline. */
  gutter: number;
  /** Right of the plot. */
  right: number;
  /** Empty until the width is known (never rendered on the server, whose time zone is not the reader's). */
  ticks: TimeTick[];
  /** Whether any tick carries a date line under it (the axis then needs two lines). */
  hasDates: boolean;
};

/**
 * The layout every time axis shares: the same gutter, right margin and ticks for the same window
 * and width. A latency chart and the health timeline under it each call this for the same
 * window in boxes of the same width, so their ticks and plot edges line up. The ref goes on the
 * element whose width the axis spans (the chart's or the timeline's box).
 */
export function useTimeAxis(from: number, to: number): [ref: (element: HTMLElement | null) => () => void, layout: TimeAxisLayout] {
  const locale = useLocale();
  const [width, setWidth] = useState(0);
  const ref = useCallback((element: HTMLElement | null) => {
    if (!element) return () => {};
    const observer = new ResizeObserver(([entry]) => setWidth(Math.round(entry?.contentRect.width ?? 0)));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const gutter = width > 0 && width < NARROW_PX ? 80 : 112;
  const right = CHART_MARGIN.right;
  const ticks = useMemo(() => {
    if (width === 0 || to <= from) return [];
    const plot = Math.max(width - gutter - right, 0);
    return timeAxis(from, to, Math.max(2, Math.floor(plot / TICK_ROOM_PX)), locale);
  }, [width, from, to, gutter, right, locale]);
  return [ref, { gutter, right, ticks, hasDates: ticks.some((tick) => tick.secondary !== null) }];
}
