/**
 * The one walk over every dashboard page, shared by every spec that checks pages as a whole: it
 * opens each page in a given language and width, runs axe-core on it in the light and the dark
 * theme (and on the dialogs listed with it), checks that nothing runs off the side of the page
 * (nor, on a phone, scrolls sideways inside a table), saves a full-page screenshot per theme, and runs the caller's own check. Both themes are checked
 * on one page load (the theme follows the emulated colour scheme), which halves the walk's time. A spec that needs another check per page passes
 * `check`, it does not write a second walker.
 */
import AxeBuilder from "@axe-core/playwright";
import { expect, type Browser, type BrowserContext, type Locator, type Page, type TestInfo } from "@playwright/test";
import { en, type Dictionary } from "../../components/i18n/messages/en";
import { ru } from "../../components/i18n/messages/ru";
import type { Locale } from "../../components/i18n/locale";
import { E2E_OWNER, E2E_PORT } from "./e2e-env";
import { screenshot } from "./fleet";

export const WALK_VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type WalkViewport = keyof typeof WALK_VIEWPORTS;
export type WalkTheme = "light" | "dark";
export type WalkSetting = { locale: Locale; viewport: WalkViewport };
const WALK_THEMES: readonly WalkTheme[] = ["light", "dark"];
/** The axe rules whose outcome a colour theme can change. */
const COLOUR_RULES = ["color-contrast", "link-in-text-block"] as const;

export const DICTIONARIES: Record<Locale, Dictionary> = { en, ru };

/** Every combination the walk covers: both languages, both widths (and, on each page, both themes). */
export const WALK_SETTINGS: WalkSetting[] = (["en", "ru"] as const).flatMap((locale) =>
  (["desktop", "phone"] as const).map((viewport) => ({ locale, viewport })),
);

export type WalkStop = {
  /** Short name for the screenshot file. */
  name: string;
  path: string;
  /** The page's h1, in the walk's language. */
  heading: (t: Dictionary) => string | RegExp;
  /** States of the page that axe also checks, e.g. an open dialog; each is closed with Escape after. */
  states?: { name: string; open: (page: Page, t: Dictionary) => Promise<void> }[];
};

export const settingName = ({ locale, viewport }: WalkSetting) => `${locale}-${WALK_VIEWPORTS[viewport].width}`;

/** A browser context for one setting: its viewport and language cookie, in the light theme. */
export async function walkContext(browser: Browser, setting: WalkSetting): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: WALK_VIEWPORTS[setting.viewport], colorScheme: "light" });
  await context.addCookies([{ name: "locale", value: setting.locale, url: `http://127.0.0.1:${E2E_PORT}` }]);
  return context;
}

/** Signs the owner in through the login page, in the setting's language. */
export async function signInWalking(page: Page, setting: WalkSetting) {
  const t = DICTIONARIES[setting.locale];
  await page.goto("/login");
  await page.getByLabel(t["common.username"]).fill(E2E_OWNER.username);
  await page.getByLabel(t["common.password"]).fill(E2E_OWNER.password);
  await page.getByRole("button", { name: t["login.submit"] }).click();
  // As in signInAs: the first render of the overview has taken over the 10 s default on a loaded machine.
  await expect(page.getByRole("heading", { level: 1, name: t["nav.overview"] })).toBeVisible({ timeout: 30_000 });
}

/**
 * axe-core's serious and critical findings (WCAG 2.x A and AA rules), one line each, and any
 * dangling ARIA reference; `only` limits axe to some rules (the second theme changes only colours).
 */
export async function axeFindings(page: Page, only?: readonly string[]): Promise<string[]> {
  const builder = new AxeBuilder({ page });
  const results = await (only ? builder.withRules([...only]) : builder.withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(" ")} — ${n.failureSummary?.split("\n").slice(1).join(" ").trim()}`))
    .concat(only ? [] : await danglingAriaReferences(page));
}

/**
 * ARIA references that name no element on the page (the range tabs' aria-controls once did).
 * axe lets them pass on an unselected tab, so the walk looks for them itself.
 */
async function danglingAriaReferences(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    ["aria-controls", "aria-labelledby", "aria-describedby"].flatMap((attribute) =>
      [...document.querySelectorAll(`[${attribute}]`)].flatMap((element) =>
        (element.getAttribute(attribute) ?? "")
          .split(/\s+/)
          .filter((id) => id && !document.getElementById(id))
          .map((id) => `${attribute} of <${element.tagName.toLowerCase()}> "${element.textContent?.trim().slice(0, 40) ?? ""}" names a missing #${id}`),
      ),
    ),
  );
}

/**
 * What scrolls sideways, one line each: the page when it is wider than the window, and with
 * `tables` every table that scrolls inside its box (on a phone tables are cards, read by scrolling down).
 */
export async function sidewaysScrolls(page: Page, tables: boolean): Promise<string[]> {
  return page.evaluate((tables) => {
    // clientWidth is innerWidth less any scrollbar: stricter than scrollWidth <= innerWidth.
    const page = document.documentElement;
    const found = page.scrollWidth > page.clientWidth ? [`the page by ${page.scrollWidth - page.clientWidth} px`] : [];
    if (!tables) return found;
    for (const box of document.querySelectorAll<HTMLElement>('[data-slot="table-container"]')) {
      const name = box.querySelector("table")?.getAttribute("aria-label") ?? "a table";
      if (box.scrollWidth > box.clientWidth) found.push(`${name} by ${box.scrollWidth - box.clientWidth} px`);
    }
    return found;
  }, tables);
}

/** Each of `parts` is shown whole and inside the window's width (not scrolled off or clipped at the side). */
export async function expectWhollyInWindow(page: Page, parts: Locator[]) {
  const width = page.viewportSize()!.width;
  for (const part of parts) {
    await expect(part).toBeVisible();
    const box = (await part.boundingBox())!;
    const text = (await part.innerText()).trim().slice(0, 40);
    expect(box.x, `"${text}" starts inside the window`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `"${text}" ends inside the ${width} px window`).toBeLessThanOrEqual(width);
  }
}

type WalkCheck = (page: Page, stop: WalkStop, setting: WalkSetting) => Promise<void>;

/**
 * axe in each theme, with a screenshot per theme; the page follows the emulated colour scheme.
 * The first theme gets every rule; the second only those a theme can change (colours).
 */
async function inBothThemes(page: Page, testInfo: TestInfo, name: string, setting: WalkSetting): Promise<string[]> {
  const findings: string[] = [];
  for (const theme of WALK_THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await expect(page.locator("html")).toHaveClass(theme === "dark" ? /\bdark\b/ : /^(?!.*\bdark\b)/);
    findings.push(...(await axeFindings(page, theme === WALK_THEMES[0] ? undefined : COLOUR_RULES)).map((f) => `${name} (${theme}): ${f}`));
    await screenshot(page, testInfo, `${settingName(setting)}-${theme}-${name}`);
  }
  return findings;
}

/** Visits one page: heading, width, axe and a screenshot in both themes, the caller's check; then each state. */
export async function visit(page: Page, testInfo: TestInfo, stop: WalkStop, setting: WalkSetting, check?: WalkCheck): Promise<string[]> {
  const t = DICTIONARIES[setting.locale];
  const findings: string[] = [];
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(stop.path);
  await expect(page.getByRole("heading", { level: 1, name: stop.heading(t) })).toBeVisible();
  // Charts draw once they know their width; let them settle before measuring and looking.
  await page.waitForLoadState("networkidle");
  expect(await sidewaysScrolls(page, setting.viewport === "phone"), `what scrolls sideways on ${stop.name} at ${WALK_VIEWPORTS[setting.viewport].width} px`).toEqual([]);
  findings.push(...(await inBothThemes(page, testInfo, stop.name, setting)));
  if (check) await check(page, stop, setting);
  for (const state of stop.states ?? []) {
    await state.open(page, t);
    findings.push(...(await inBothThemes(page, testInfo, `${stop.name}-${state.name}`, setting)));
    await page.keyboard.press("Escape");
  }
  return findings;
}

/**
 * Walks `stops` in one setting (signed in already) and fails with every serious or critical axe
 * finding listed at once, together with `earlier` ones (the login page's, visited before signing in).
 */
export async function walkPages(page: Page, testInfo: TestInfo, stops: readonly WalkStop[], setting: WalkSetting, check?: WalkCheck, earlier: readonly string[] = []) {
  const findings: string[] = [...earlier];
  for (const stop of stops) findings.push(...(await visit(page, testInfo, stop, setting, check)));
  expect(findings, `axe-core findings in ${settingName(setting)}`).toEqual([]);
}
