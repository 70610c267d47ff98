import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/*
 * Text contrast of the design tokens in app/globals.css, both themes, as the browser paints them:
 * a tint such as `bg-destructive/10` is the colour at 10 % alpha composited over the card. axe-core
 * only sees the states a page happens to show; this checks every pairing the components use.
 */

const css = readFileSync(join(process.cwd(), "app/globals.css"), "utf8");

function tokens(selector: ":root" | ".dark"): Record<string, string> {
  const block = css.slice(css.indexOf(`${selector} {`));
  const body = block.slice(0, block.indexOf("\n}"));
  return Object.fromEntries([...body.matchAll(/--([\w-]+):\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));
}

type Rgb = [number, number, number];

/** oklch(L C h) to linear sRGB, clipped to the gamut (Björn Ottosson's OKLab matrices). */
function linearRgb(value: string): Rgb {
  const match = /^oklch\(([\d.]+) ([\d.]+) ([\d.]+)\)$/.exec(value);
  if (!match) throw new Error(`not an opaque oklch colour: ${value}`);
  const [L, C, h] = [Number(match[1]), Number(match[2]), (Number(match[3]) * Math.PI) / 180];
  const a = C * Math.cos(h);
  const b = C * Math.sin(h);
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const rgb: Rgb = [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
  return rgb.map((x) => Math.min(1, Math.max(0, x))) as Rgb;
}

const encode = (x: number) => (x <= 0.0031308 ? 12.92 * x : 1.055 * x ** (1 / 2.4) - 0.055);
const decode = (x: number) => (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);

/** `top` at `alpha` over `bottom`, blended in gamma-encoded sRGB as browsers composite. */
function over(top: Rgb, alpha: number, bottom: Rgb): Rgb {
  return top.map((x, i) => decode(encode(x) * alpha + encode(bottom[i]!) * (1 - alpha))) as Rgb;
}

const luminance = ([r, g, b]: Rgb) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
function contrast(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

describe.each([":root", ".dark"] as const)("text contrast in %s", (theme) => {
  const t = tokens(theme);
  const color = (name: string) => linearRgb(t[name]!);

  // [text token, tint token and alpha (or none), surface]: each pairing a component draws.
  const pairs: [string, [string, number] | null, string][] = [
    ["destructive", ["destructive", 0.1], "card"], // destructive badge, the login error
    ["destructive", ["destructive", 0.1], "background"],
    ["destructive", ["destructive", 0.1], "muted"], // the badge in a hovered table row
    ["destructive", null, "card"], // field messages, failed tests
    ["destructive", ["destructive", 0.05], "popover"], // the connection-failed box in the dialog
    ["success", ["success", 0.12], "card"], // success badge
    ["success", ["success", 0.12], "muted"],
    ["muted-foreground", null, "card"],
    ["muted-foreground", null, "muted"],
    ["primary-foreground", null, "primary"],
  ];

  it.each(pairs)("%s on %j over --%s is at least 4.5:1", (text, tint, surface) => {
    const base = color(surface);
    const behind = tint ? over(color(tint[0]), tint[1], base) : base;
    expect(contrast(color(text), behind)).toBeGreaterThanOrEqual(4.5);
  });

  it("white on a destructive button is at least 4.5:1", () => {
    expect(contrast(color("destructive-foreground"), color("destructive"))).toBeGreaterThanOrEqual(4.5);
  });
});
