/**
 * When each alert line appears on the live web dashboard, by the page's own clock, against the
 * time the server stamped on it when the engine emitted the alert (`data-emitted-at`, see
 * realtime/dashboard/web-frame.ts). Both clocks are this machine's, so the difference is the
 * alert-to-screen delay: server-sent event, the page's script, and the browser drawing the line.
 * The browser tests and bench/dashboard.ts read the same figures.
 */
import type { Page } from 'playwright-core';

/**
 * A script to add to the page before its own (`page.addInitScript`): it notes when each alert
 * line's element first appears, keyed by its emit time and text, in `window.seen`.
 */
export const RECORD_APPEARANCES = `
  window.seen = {};
  new MutationObserver((changes) => {
    const at = Date.now();
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (!(node instanceof HTMLElement) || node.dataset.emittedAt === undefined) continue;
        window.seen[node.dataset.emittedAt + ' ' + node.textContent] ??= at;
      }
    }
  }).observe(document, { childList: true, subtree: true });
`;

export interface Appearance {
  /** When the engine emitted the alert (ms since the epoch, the server's clock). */
  readonly emitted: number;
  /** When its line appeared on the page (the page's clock). */
  readonly at: number;
}

/**
 * The alert lines seen on the page so far that were emitted at or after `since`: lines emitted
 * before the page connected arrive with its first frame and say nothing about the delay.
 */
export async function appearancesSince(page: Page, since: number): Promise<Appearance[]> {
  const seen = (await page.evaluate('window.seen')) as Record<string, number>;
  return Object.entries(seen)
    .map(([key, at]) => ({ emitted: Number(key.slice(0, key.indexOf(' '))), at }))
    .filter((s) => s.emitted >= since);
}
