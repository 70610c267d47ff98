/** A user's text inside a LIKE/ILIKE pattern, matched literally: `%`, `_` and `\` lose their meaning. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
