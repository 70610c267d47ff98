import { ActivityIcon } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Overview" };

export default function Page() {
  return (
    <>
      <PageHeader title="Overview" description="Fleet health, load and recent activity at a glance." />
      <EmptyState icon={ActivityIcon} title="Nothing to show yet" description="This view fills in once nodes are added and the health sweep has run." />
    </>
  );
}
