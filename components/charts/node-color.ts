/*
 * One colour per node, derived from its id alone: the same node has the same colour on every chart,
 * on every reload and whatever else is on screen (a colour taken from a rank or a position swaps
 * when the order changes). The hue comes from a hash of the id; lightness and chroma come from the
 * theme (--node-l, --node-c in app/globals.css), so a colour stays readable in light and dark.
 */

/** FNV-1a over the id's UTF-16 units, then murmur3's finaliser: ids that differ in one character land far apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The node's hue in degrees, 0 ≤ hue < 360, rounded to a tenth. */
export function nodeHue(nodeId: string): number {
  return Math.round((hash32(nodeId) / 2 ** 32) * 3600) / 10;
}

/** A CSS colour for the node, for fills, strokes and swatches. */
export function nodeColor(nodeId: string): string {
  return `oklch(var(--node-l) var(--node-c) ${nodeHue(nodeId)})`;
}
