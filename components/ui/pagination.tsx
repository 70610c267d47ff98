"use client";

import {
  ChevronLeftIcon,
  ChevronRightIcon,
  ChevronsLeftIcon,
  ChevronsRightIcon,
  type LucideIcon,
} from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";

import { useLocale, useT } from "@/components/i18n/i18n-provider";

import { buttonVariants } from "./button";
import { cn } from "./cn";

type PaginationProps = {
  /** 1-based current page. */
  page: number;
  pageCount: number;
  /** With pageSize, shows "51–100 of 3,214". */
  totalItems?: number;
  pageSize?: number;
  /**
   * Client-state mode: called with the new page. Without it the controls are links that
   * set `pageParam` in the current URL, keeping other search params (server-side paging).
   */
  onPageChange?: (page: number) => void;
  pageParam?: string;
  className?: string;
};

function Pagination({
  page,
  pageCount,
  totalItems,
  pageSize,
  onPageChange,
  pageParam = "page",
  className,
}: PaginationProps) {
  const t = useT();
  const locale = useLocale();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const lastPage = Math.max(pageCount, 1);

  const hrefFor = (target: number) => {
    const params = new URLSearchParams(searchParams.toString());
    if (target <= 1) params.delete(pageParam);
    else params.set(pageParam, String(target));
    const query = params.toString();
    return query ? `${pathname}?${query}` : pathname;
  };

  const controls: { target: number; label: string; icon: LucideIcon; isHiddenOnMobile?: boolean }[] = [
    { target: 1, label: t("pagination.first"), icon: ChevronsLeftIcon, isHiddenOnMobile: true },
    { target: page - 1, label: t("pagination.previous"), icon: ChevronLeftIcon },
    { target: page + 1, label: t("pagination.next"), icon: ChevronRightIcon },
    { target: lastPage, label: t("pagination.last"), icon: ChevronsRightIcon, isHiddenOnMobile: true },
  ];

  const numberFormat = new Intl.NumberFormat(locale);
  const range =
    totalItems !== undefined && pageSize !== undefined
      ? t("pagination.range", {
          from: numberFormat.format(totalItems === 0 ? 0 : (page - 1) * pageSize + 1),
          to: numberFormat.format(Math.min(page * pageSize, totalItems)),
          total: numberFormat.format(totalItems),
        })
      : null;

  return (
    <nav
      aria-label={t("pagination.label")}
      data-slot="pagination"
      className={cn("flex items-center justify-between gap-4 text-sm", className)}
    >
      <p className="text-muted-foreground tabular-nums">{range}</p>
      <div className="flex items-center gap-1.5">
        <span className="mr-2 font-medium tabular-nums">
          {t("pagination.page", {
            page: numberFormat.format(page),
            pageCount: numberFormat.format(lastPage),
          })}
        </span>
        {controls.map(({ target, label, icon: Icon, isHiddenOnMobile }) => {
          const isDisabled = target < 1 || target > lastPage || target === page;
          const className = cn(
            buttonVariants({ variant: "outline", size: "icon-sm" }),
            isHiddenOnMobile && "hidden sm:inline-flex",
          );
          const content = (
            <>
              <Icon aria-hidden />
              <span className="sr-only">{label}</span>
            </>
          );
          if (onPageChange || isDisabled) {
            return (
              <button
                key={label}
                type="button"
                className={className}
                disabled={isDisabled}
                onClick={() => onPageChange?.(target)}
              >
                {content}
              </button>
            );
          }
          return (
            <Link key={label} href={hrefFor(target)} className={className} scroll={false}>
              {content}
            </Link>
          );
        })}
      </div>
    </nav>
  );
}

export { Pagination, type PaginationProps };
