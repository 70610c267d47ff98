/** Per-field messages that the server's error formatter puts on a BAD_REQUEST (server/api/trpc.ts). */
export function fieldErrorsOf(error: unknown): Record<string, string> {
  const data = (error as { data?: { fields?: Record<string, string> | null } } | null)?.data;
  return data?.fields ?? {};
}
