/** The cron route's documented answer: the health sweep's summary plus the run's step list. */
import { z } from "zod";

export const CronRunResponse = z
  .looseObject({
    run: z.object({
      id: z.number().int(),
      durationMs: z.number().int(),
      steps: z.array(z.object({ name: z.string(), status: z.enum(["ok", "failed", "skipped"]), durationMs: z.number().int() })),
    }),
  })
  .meta({ id: "CronRunResponse", description: "The health sweep's summary fields, then `run` with each cron step's outcome." });
