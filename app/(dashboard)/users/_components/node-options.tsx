"use client";

import { useT } from "@/components/i18n/i18n-provider";
import type { AdminState, HealthState } from "@/components/ui/status-badge";

export type NodeOption = { id: string; name: string; healthState: HealthState; adminState: AdminState; reservedCount: number; maxUsers: number };

/** A node select's options: "best node" (the balancer's choice, value "") first, then each node with its health and load. */
export function NodeOptions({ nodes }: { nodes: NodeOption[] }) {
  const t = useT();
  return (
    <>
      <option value="">{t("userActions.bestNode")}</option>
      {nodes.map((n) => (
        <option key={n.id} value={n.id}>
          {n.name} · {t(`healthValue.${n.healthState}`)} · {n.reservedCount}/{n.maxUsers}
          {n.adminState === "active" ? "" : ` · ${t(`adminStateValue.${n.adminState}`)}`}
        </option>
      ))}
    </>
  );
}
