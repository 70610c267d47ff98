import { PageSkeleton } from "@/app/(dashboard)/_components/page-skeleton";

export default function Loading() {
  return <PageSkeleton cards={4} rows={6} />;
}
