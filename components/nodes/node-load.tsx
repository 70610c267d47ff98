"use client";

import { formatNumber } from "@/components/i18n/format";
import { useLocale, useT } from "@/components/i18n/i18n-provider";
import { Progress } from "@/components/ui/progress";

/** "37 / 100" with a bar that turns amber and red as the node fills. */
function NodeLoad({ name, users, maxUsers }: { name: string; users: number; maxUsers: number }) {
  const t = useT();
  const locale = useLocale();
  return (
    <div className="grid w-32 gap-1">
      <span className="text-xs tabular-nums">
        {formatNumber(locale, users)} / {formatNumber(locale, maxUsers)}
      </span>
      <Progress value={users} max={Math.max(maxUsers, 1)} tone="load" label={t("nodeLoad.usersOn", { node: name })} />
    </div>
  );
}

/** Panel and Xray versions as one quiet line. */
function NodeVersions({ panelVersion, apiGeneration, xrayVersion }: { panelVersion: string | null; apiGeneration: string | null; xrayVersion: string | null }) {
  const t = useT();
  if (!panelVersion && !xrayVersion) return <span className="text-muted-foreground">{t("nodeVersions.notDetected")}</span>;
  return (
    <span className="grid text-xs">
      <span>3X-UI {panelVersion ? `v${panelVersion}` : "?"}{apiGeneration ? <span className="text-muted-foreground"> · {apiGeneration}</span> : null}</span>
      <span className="text-muted-foreground">Xray {xrayVersion ?? "?"}</span>
    </span>
  );
}

export { NodeLoad, NodeVersions };
