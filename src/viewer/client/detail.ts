import { html, nothing } from 'lit-html';
import type { Change, Entry } from './api.js';
import { filterLink } from './filters.js';
import { duration, outcomeLabel } from './format.js';
import { jsonTree } from './json-tree.js';

/** The data changes of the request: loading, loaded, or why they could not be read. */
export type ChangesState = { loading: true } | { changes: Change[] } | { error: string } | undefined;

/** Everything one row recorded, the data changes it made, and links to its neighbours by request id and by user. */
export function entryDetail(entry: Entry, changes: ChangesState, close: () => void) {
  const field = (label: string, value: unknown) =>
    html`<dt>${label}</dt>
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
      ${field('Duration', duration(entry.durationMs))} ${field('IP address', entry.ipAddress)} ${field('User agent', entry.userAgent)} ${field('Request id', entry.requestId)}
      ${field('Error', entry.errorMessage)}
    </dl>
    <h3>Request data</h3>
    <div class="json-root">${jsonTree(entry.requestData)}</div>
    ${changesSection(changes)}
    <nav class="links" aria-label="Related requests">
      ${entry.requestId ? html`<a href=${filterLink('requestId', entry.requestId)}>All requests with this request id</a>` : nothing}
      ${byUser ? html`<a href=${byUser}>All requests from this user</a>` : nothing}
    </nav>`;
}

function changesSection(state: ChangesState) {
  if (state === undefined) return nothing;
  const body =
    'loading' in state
      ? html`<p class="muted">Loading…</p>`
      : 'error' in state
        ? html`<p class="error" role="alert">${state.error}</p>`
        : state.changes.length === 0
          ? html`<p class="muted">This request changed no tracked model.</p>`
          : html`<ul class="changes">
              ${state.changes.map(
                (change) =>
                  html`<li>
                    <span class="label">${change.operation} ${change.model}${change.recordId === null ? '' : ` ${change.recordId}`}</span>
                    <div class="json-root">${jsonTree(change.changes)}</div>
                  </li>`,
              )}
            </ul>`;
  return html`<h3>Data changes</h3>
    ${body}`;
}
