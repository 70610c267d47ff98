import { ServerIcon } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Nodes" };

export default function Page() {
  return (
    <>
      <PageHeader title="Nodes" description="The 3X-UI panels that make up the fleet." />
      <EmptyState icon={ServerIcon} title="No node views yet" description="Node management arrives with the nodes work; until then add nodes with npm run nodes:import." />
    </>
  );
}
