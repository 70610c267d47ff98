/**
 * Indices of samples with no neighbour to draw a line to (a single sample, or one between gaps):
 * a line chart without dots would show nothing for them, e.g. a fresh fleet's first checks.
 */
export function isolatedPoints<K extends string>(data: readonly ({ t: number } & Partial<Record<K, number | null>>)[], key: K): Set<number> {
  const present = (i: number) => data[i]?.[key] != null;
  const isolated = new Set<number>();
  for (let i = 0; i < data.length; i++) {
    if (present(i) && !present(i - 1) && !present(i + 1)) isolated.add(i);
  }
  return isolated;
}
