/** Server-side paging for the dashboard's lists: one page of rows and the total, read together. */
import { z } from "zod";

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

/** The `page` and `pageSize` fields of a list's input schema (pages count from 1, at most 100 rows). */
export function pageFields(defaultPageSize: number) {
  return {
    page: z.number().int().min(1).default(1),
    pageSize: z.number().int().min(1).max(100).default(defaultPageSize),
  };
}

/** `rows` reads the window it is given; `count` is the same query's `count()` (drizzle queries run when awaited). */
export async function readPage<T>(
  input: { page: number; pageSize: number },
  rows: (window: { limit: number; offset: number }) => PromiseLike<T[]>,
  count: PromiseLike<{ n: number }[]>,
): Promise<Page<T>> {
  const [items, totals] = await Promise.all([rows({ limit: input.pageSize, offset: (input.page - 1) * input.pageSize }), count]);
  return { items, total: totals[0]?.n ?? 0, page: input.page, pageSize: input.pageSize };
}
