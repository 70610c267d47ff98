/**
 * The frame every command that works on the app's database shares: open it the way the app does
 * (DATABASE_URL, or the embedded one in DATA_DIR — refused while the app holds that folder), run,
 * print a refusal (AppError) as its message and field lines, and close. Returns the exit code.
 */
import { openAppContext, type AppContext } from "@/server/composition/app-context";
import { DataDirLockedError } from "@/server/db/data-dir-lock";
import { AppError } from "@/server/errors";
import { errorBody } from "@/server/http/messages";

export async function runWithApp(options: { maxConnections: number }, run: (app: AppContext) => Promise<number>): Promise<number> {
  let opened: Awaited<ReturnType<typeof openAppContext>>;
  try {
    opened = await openAppContext(options);
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  try {
    return await run(opened.app);
  } catch (e) {
    if (e instanceof AppError) {
      const { message, fields } = errorBody(e);
      console.error(message);
      for (const [field, text] of Object.entries(fields ?? {})) console.error(`  ${field}: ${text}`);
      return 1;
    }
    throw e;
  } finally {
    await opened.close();
  }
}
