import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

type PlacementReason = {
  strategy: "balancer" | "manual" | "migration" | "rebalance";
  location?: string | null;
  candidates: { nodeId: string; name: string; score: number; load: number; healthState: string }[];
  chosenNodeId: string;
  note?: string;
};

const STRATEGY_TEXT: Record<PlacementReason["strategy"], string> = {
  balancer: "Placed by the balancer: the lowest score among healthy nodes with room, where score = load ÷ (priority/100 × weight).",
  manual: "Moved here by an admin.",
  migration: "Moved here by a migration (failover or drain): the best node with room when it ran.",
  rebalance: "Moved here by a rebalance plan.",
};

/** Why a user is on their node: the strategy, the candidates the balancer weighed, and its choice. */
function PlacementReasonView({ reason }: { reason: PlacementReason | null }) {
  if (!reason) return <p className="text-sm text-muted-foreground">No placement reason was recorded for this key.</p>;
  const candidates = [...reason.candidates].sort((a, b) => a.score - b.score);
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-3 text-sm">
      <p>{STRATEGY_TEXT[reason.strategy]}</p>
      {reason.location ? <p className="text-muted-foreground">Asked for location: {reason.location}</p> : null}
      {reason.note ? <p className="text-muted-foreground">{reason.note}</p> : null}
      {candidates.length ? (
        <Table aria-label="Placement candidates">
          <TableHeader>
            <TableRow>
              <TableHead>Node</TableHead>
              <TableHead>Health</TableHead>
              <TableHead className="text-right">Load</TableHead>
              <TableHead className="text-right">Score</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {candidates.map((c) => (
              <TableRow key={c.nodeId} data-state={c.nodeId === reason.chosenNodeId ? "selected" : undefined}>
                <TableCell className="font-medium">
                  {c.name} {c.nodeId === reason.chosenNodeId ? <Badge variant="success">chosen</Badge> : null}
                </TableCell>
                <TableCell className="text-xs">{c.healthState}</TableCell>
                <TableCell className="text-right tabular-nums">{Math.round(c.load * 100)}%</TableCell>
                <TableCell className="text-right font-mono text-xs tabular-nums">{c.score.toFixed(4)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </div>
  );
}

export { PlacementReasonView, type PlacementReason };
