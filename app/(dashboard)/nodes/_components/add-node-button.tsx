"use client";

import { PlusIcon } from "lucide-react";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { useT } from "@/components/i18n/i18n-provider";
import { Button } from "@/components/ui/button";
import { NodeFormDialog } from "./node-form-dialog";

/** Opens the add-node form; `?add=1` (the overview's empty state links there) opens it on arrival. */
export function AddNodeButton({ isInitiallyOpen = false }: { isInitiallyOpen?: boolean }) {
  const t = useT();
  const [open, setOpen] = useState(isInitiallyOpen);
  const router = useRouter();
  const pathname = usePathname();
  return (
    <>
      <Button onClick={() => setOpen(true)}>
        <PlusIcon aria-hidden /> {t("nodes.add")}
      </Button>
      {open ? (
        <NodeFormDialog
          open
          onOpenChange={(next) => {
            setOpen(next);
            if (!next && isInitiallyOpen) router.replace(pathname, { scroll: false });
          }}
        />
      ) : null}
    </>
  );
}
