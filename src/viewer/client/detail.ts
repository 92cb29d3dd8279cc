import { html, nothing } from 'lit-html';
import type { Entry } from './api.js';
import { filterLink } from './filters.js';
import { duration, outcomeLabel } from './format.js';
import { jsonTree } from './json-tree.js';

/** Everything one row recorded, with links to its neighbours by request id and by user. */
export function entryDetail(entry: Entry, close: () => void) {
  const field = (label: string, value: unknown) => html`<dt>${label}</dt>
    <dd>${value === null || value === undefined || value === '' ? '—' : value}</dd>`;
  const byUser = entry.userId ? filterLink('userId', entry.userId) : entry.username ? filterLink('username', entry.username) : undefined;
  return html`<header>
      <h2 id="detail-title">Request #${entry.id}</h2>
      <button type="button" class="secondary" @click=${close} aria-label="Close">Close</button>
    </header>
    <dl class="fields">
      ${field('Time (UTC)', new Date(entry.timestamp).toISOString())} ${field('User', entry.username)} ${field('User id', entry.userId)}
      ${field('Roles', entry.userRoles.join(', '))} ${field('Method', entry.actionType)} ${field('Resource', entry.resource)}
      ${field('Outcome', html`<span class="outcome outcome-${entry.outcome}">${outcomeLabel(entry.outcome)}</span>`)} ${field('Status', entry.responseStatus)}
      ${field('Duration', duration(entry.durationMs))} ${field('IP address', entry.ipAddress)} ${field('User agent', entry.userAgent)}
      ${field('Request id', entry.requestId)} ${field('Error', entry.errorMessage)}
    </dl>
    <h3>Request data</h3>
    <div class="json-root">${jsonTree(entry.requestData)}</div>
    <nav class="links" aria-label="Related requests">
      ${entry.requestId ? html`<a href=${filterLink('requestId', entry.requestId)}>All requests with this request id</a>` : nothing}
      ${byUser ? html`<a href=${byUser}>All requests from this user</a>` : nothing}
    </nav>`;
}
