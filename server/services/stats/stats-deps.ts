import type { Database } from "@/server/db/client";
import type { Clock } from "../clock";

/** What the stats queries need: the database, a clock (tests pin "now"), the sweep interval. */
export type StatsDeps = {
  db: Database;
  clock: Clock;
};
