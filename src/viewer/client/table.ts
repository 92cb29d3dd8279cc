import { html } from 'lit-html';
import type { Entry } from './api.js';
import { duration, localTime, outcomeLabel } from './format.js';

/**
 * The rows, newest first. A row is one tab stop: Enter or Space opens it, arrow keys (or j / k) move
 * between rows. Every value is bound as text.
 */
export function entriesTable(entries: readonly Entry[], open: (entry: Entry, row: HTMLElement) => void) {
  const onKey = (entry: Entry) => (event: KeyboardEvent) => {
    const row = event.currentTarget as HTMLElement;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(entry, row);
    } else if (event.key === 'ArrowDown' || event.key === 'j') {
      event.preventDefault();
      (row.nextElementSibling as HTMLElement | null)?.focus();
    } else if (event.key === 'ArrowUp' || event.key === 'k') {
      event.preventDefault();
      (row.previousElementSibling as HTMLElement | null)?.focus();
    }
  };
  if (entries.length === 0) return html`<p class="empty">No requests match these filters.</p>`;
  return html`<div class="table-scroll">
    <table class="entries">
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">User</th>
          <th scope="col">Method</th>
          <th scope="col">Resource</th>
          <th scope="col">Outcome</th>
          <th scope="col" class="number">Status</th>
          <th scope="col" class="number">Duration</th>
          <th scope="col">IP</th>
        </tr>
      </thead>
      <tbody>
        ${entries.map(
          (entry) =>
            html`<tr tabindex="0" data-id=${entry.id} @click=${(event: Event) => open(entry, event.currentTarget as HTMLElement)} @keydown=${onKey(entry)}>
              <td><time datetime=${entry.timestamp} title=${new Date(entry.timestamp).toISOString()}>${localTime(entry.timestamp)}</time></td>
              <td>${entry.username ?? entry.userId ?? '—'}</td>
              <td>${entry.actionType}</td>
              <td class="resource">${entry.resource}</td>
              <td><span class="outcome outcome-${entry.outcome}">${outcomeLabel(entry.outcome)}</span></td>
              <td class="number">${entry.responseStatus ?? ''}</td>
              <td class="number">${duration(entry.durationMs)}</td>
              <td>${entry.ipAddress ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
