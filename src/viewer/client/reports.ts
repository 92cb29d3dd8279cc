import { html } from 'lit-html';
import type { Entry, SlowOperation } from './api.js';
import { duration } from './format.js';

const TOP = 5;

/**
 * The failed requests (error and permission denied) grouped by method and route, most frequent first.
 * Counted over the latest failures the report returns, as the caption says.
 */
export function topFailedActions(failures: readonly Entry[]) {
  const counts = new Map<string, number>();
  for (const entry of failures) {
    const route = (entry.requestData as { route?: unknown } | null)?.route;
    const action = `${entry.actionType} ${typeof route === 'string' ? route : entry.resource}`;
    counts.set(action, (counts.get(action) ?? 0) + 1);
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, TOP);
  return html`<section class="report" aria-labelledby="failed-title">
    <h2 id="failed-title">Top failed actions <span class="muted">(of the latest ${failures.length})</span></h2>
    ${
      top.length === 0
        ? html`<p class="empty">No failures.</p>`
        : html`<ol>
            ${top.map(([action, count]) => html`<li><span class="label">${action}</span><span class="count">${count}</span></li>`)}
          </ol>`
    }
  </section>`;
}

export function slowestOperations(operations: readonly SlowOperation[]) {
  return html`<section class="report" aria-labelledby="slow-title">
    <h2 id="slow-title">Slowest operations <span class="muted">(average ≥ 1 s)</span></h2>
    ${
      operations.length === 0
        ? html`<p class="empty">Nothing slow.</p>`
        : html`<ol>
            ${operations
              .slice(0, TOP)
              .map(
                (operation) =>
                  html`<li>
                    <span class="label">${operation.actionType}</span
                    ><span class="count" title=${`max ${duration(operation.maxDurationMs)}, ${operation.count} requests`}>${duration(Math.round(operation.avgDurationMs))}</span>
                  </li>`,
              )}
          </ol>`
    }
  </section>`;
}
