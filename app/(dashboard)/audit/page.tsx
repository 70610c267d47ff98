import { ScrollTextIcon } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Audit" };

export default function Page() {
  return (
    <>
      <PageHeader title="Audit" description="Every admin change: who, what, when and from where." />
      <EmptyState icon={ScrollTextIcon} title="No audit view yet" description="The audit trail is recorded from the start; its browser arrives with the dashboard work." />
    </>
  );
}
