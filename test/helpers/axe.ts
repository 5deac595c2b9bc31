/**
 * axe-core (the npm package, unmodified) run inside the page under test: the same engine as the browsers'
 * accessibility audits, so a violation here is one a user of a screen reader or a low-contrast screen meets.
 */
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Result } from 'axe-core';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export type Violation = Result;

/**
 * A violation the test knows of and lets pass for now: the elements `selector` matches (or lie inside), for
 * `rule` only, so the same rule still fails anywhere else. `why` says whose it is (the folder being rewritten).
 */
export interface KnownViolation {
  rule: string;
  selector: string;
  why: string;
}

export interface AxeScope {
  /** Only this part of the page (a CSS selector); the whole document otherwise. */
  include?: string;
  /** Violations left out of the answer, rule by rule (see KnownViolation). */
  known?: readonly KnownViolation[];
}

export interface AxeAnswer {
  /** What axe found, minus the known ones; every impact. */
  violations: Violation[];
  /** The known violations that did match something here (the others may be gone: worth removing). */
  knownSeen: KnownViolation[];
  /** Every rule axe applied to at least one element (passed or not): to prove a rule was not silently skipped. */
  rulesApplied: string[];
}

/**
 * A 1920×1080 browser context axe can be injected into. The app's Content-Security-Policy (`script-src 'self'`)
 * rightly refuses the inline script `addScriptTag` adds; this context lets the test's own script in, and nothing
 * else about the page changes.
 */
export function axeContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1920, height: 1080 }, bypassCSP: true });
}

/** Run axe on the page (or the part `scope.include` names): what it finds, every impact included. */
export async function runAxe(page: Page, scope: AxeScope = {}): Promise<AxeAnswer> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(
    async ([include, known]) => {
      type Node = { element?: Element; target: unknown[] };
      type Res = { id: string; nodes: Node[] };
      const axe = (
        window as unknown as {
          axe: {
            run(
              c: unknown,
              o: unknown,
            ): Promise<{ violations: (Res & Record<string, unknown>)[]; passes: Res[] }>;
          };
        }
      ).axe;
      // elementRef: the known-violation selectors are matched against the flagged elements themselves.
      const r = await axe.run(include ? { include: [[include]] } : document, {
        elementRef: true,
        resultTypes: ['violations'],
      });
      const seen = new Set<number>();
      const violations = r.violations
        .map((v) => {
          const nodes = v.nodes.filter((n) => {
            const i = known.findIndex((k) => k.rule === v.id && n.element?.closest(k.selector));
            if (i >= 0) seen.add(i);
            return i < 0;
          });
          return { ...v, nodes: nodes.map(({ element: _e, ...rest }) => rest) };
        })
        .filter((v) => v.nodes.length > 0);
      return {
        violations: violations as unknown as Violation[],
        knownSeen: known.filter((_, i) => seen.has(i)),
        rulesApplied: [...r.violations, ...r.passes].map((x) => x.id),
      };
    },
    [scope.include ?? null, [...(scope.known ?? [])]] as const,
  );
}

export type Impact = 'minor' | 'moderate' | 'serious' | 'critical';

const RANK: Record<Impact, number> = { minor: 0, moderate: 1, serious: 2, critical: 3 };

/** The violations of at least this impact (serious: serious and critical). */
export function atLeast(violations: readonly Violation[], impact: Impact): Violation[] {
  return violations.filter((v) => RANK[v.impact ?? 'minor'] >= RANK[impact]);
}

/**
 * One paragraph per rule: its id, impact and help, the URL that explains it, then each element it flagged (its
 * selector and axe's summary of what is wrong), so a failure says what to fix without opening a browser.
 */
export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 12)
        .map((n) => {
          const why = (n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ').trim();
          return `    - ${n.target.join(' >> ')}\n      ${why}`;
        })
        .join('\n');
      const more = v.nodes.length > 12 ? `\n    … and ${v.nodes.length - 12} more` : '';
      return `[${v.impact ?? 'n/a'}] ${v.id}: ${v.help}\n  ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n\n');
}
