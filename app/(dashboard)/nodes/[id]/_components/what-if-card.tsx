"use client";

import { useQuery } from "@tanstack/react-query";
import { SkullIcon } from "lucide-react";
import { useTRPC } from "@/app/_trpc/react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";

/** "What if this node dies now?": who would move where, and who would fit nowhere. Writes nothing. */
export function WhatIfCard({ nodeId, nodeName }: { nodeId: string; nodeName: string }) {
  const trpc = useTRPC();
  const simulation = useQuery(trpc.operations.simulateNodeLoss.queryOptions({ nodeId }, { enabled: false, staleTime: 0 }));
  const data = simulation.data;
  return (
    <Card>
      <CardHeader>
        <CardTitle>What if {nodeName} dies now?</CardTitle>
        <CardDescription>A dry run of failover against the fleet as it is: nothing is moved.</CardDescription>
        <CardAction>
          <Button variant="outline" onClick={() => void simulation.refetch()} disabled={simulation.isFetching}>
            <SkullIcon aria-hidden /> {data ? "Run again" : "Simulate"}
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        {simulation.isFetching && !data ? (
          <Skeleton className="h-24 w-full" />
        ) : !data ? (
          <p className="text-sm text-muted-foreground">Run the simulation to see where this node&apos;s users would go.</p>
        ) : data.users === 0 ? (
          <p className="text-sm" data-testid="what-if-result">No user has a key here: losing this node moves nobody.</p>
        ) : (
          <div className="grid gap-3" data-testid="what-if-result">
            <p className="text-sm">
              {data.users} user{data.users === 1 ? "" : "s"} would move
              {data.unplaced.length ? (
                <>
                  {" "}
                  — <Badge variant="destructive">{data.unplaced.length} would fit nowhere</Badge> (they would be reported, keeping their current key)
                </>
              ) : (
                "; every one of them fits elsewhere."
              )}
            </p>
            {data.byTarget.length ? (
              <Table aria-label="Where the users would go">
                <TableHeader>
                  <TableRow>
                    <TableHead>Target node</TableHead>
                    <TableHead className="text-right">Users</TableHead>
                    <TableHead className="text-right">Load after</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {data.byTarget.map((t) => (
                    <TableRow key={t.nodeId}>
                      <TableCell className="font-medium">{t.name}</TableCell>
                      <TableCell className="text-right tabular-nums">{t.users}</TableCell>
                      <TableCell className="text-right tabular-nums">{Math.round(t.loadAfter * 100)}%</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
          </div>
        )}
      </CardContent>
    </Card>
  );
}
