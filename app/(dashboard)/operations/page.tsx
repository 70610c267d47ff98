import { WorkflowIcon } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Operations" };

export default function Page() {
  return (
    <>
      <PageHeader title="Operations" description="Migrations, drains, rebalances and reconciliations, with per-user outcomes." />
      <EmptyState icon={WorkflowIcon} title="No operations yet" description="Operations appear here once the fleet starts moving users." />
    </>
  );
}
