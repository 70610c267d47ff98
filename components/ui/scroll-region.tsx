"use client";

import { useEffect, useRef, useState, type ComponentProps } from "react";

/**
 * A box that scrolls sideways when its content is wider than it (a table on a phone). While it
 * does, it joins the Tab order, so a keyboard can scroll it, and names itself after its content
 * (`label`); when everything fits it is a plain box and no extra Tab stop.
 */
function ScrollRegion({ label, ...props }: ComponentProps<"div"> & { label?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [isScrollable, setIsScrollable] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setIsScrollable(element.scrollWidth > element.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of element.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  return (
    <div
      ref={ref}
      {...(isScrollable ? { tabIndex: 0, role: label ? "region" : undefined, "aria-label": label } : {})}
      {...props}
    />
  );
}

export { ScrollRegion };
