import { UsersIcon } from "lucide-react";
import type { Metadata } from "next";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";

export const metadata: Metadata = { title: "Users" };

export default function Page() {
  return (
    <>
      <PageHeader title="Users" description="Find a VPN user, see their key and where they were placed." />
      <EmptyState icon={UsersIcon} title="No user views yet" description="User search arrives with the keys work." />
    </>
  );
}
