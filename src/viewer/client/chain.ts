import { html } from 'lit-html';
import { getJson } from './api.js';
import { duration } from './format.js';

/** What `GET <mount>/chain` answers: the tamper-evidence chain recomputed, or why there is none. */
export interface ChainStatus {
  available: boolean;
  reason?: string;
  intact?: boolean;
  finding?: { kind: string; seq?: number; message: string };
  rows?: number;
  links?: number;
  unchainedRows?: number;
  durationMs?: number;
}

export type ChainState = { checking: true } | { status: ChainStatus } | { error: string } | undefined;

/** Recomputing reads the whole chain, so it runs when asked, not on every page load. */
export function verifyChain(): Promise<ChainStatus> {
  return getJson<ChainStatus>('chain');
}

export function chainPanel(state: ChainState, verify: () => void) {
  return html`<section class="report chain" aria-labelledby="chain-title" aria-live="polite">
    <h2 id="chain-title">Tamper evidence</h2>
    ${summary(state)}
    <button type="button" class="secondary" ?disabled=${state !== undefined && 'checking' in state} @click=${verify}>Verify the chain</button>
  </section>`;
}

function summary(state: ChainState) {
  if (state === undefined) return html`<p class="muted">Recompute the hash chain over every stored batch.</p>`;
  if ('checking' in state) return html`<p class="muted">Verifying…</p>`;
  if ('error' in state) return html`<p class="error" role="alert">${state.error}</p>`;
  const { status } = state;
  if (!status.available) return html`<p class="muted">Not available: ${status.reason}.</p>`;
  if (status.links === 0) return html`<p class="muted">No chain yet: it is off (turn it on with <code>integrity: true</code>) or nothing was stored since.</p>`;
  const covered = `${status.links} links over ${status.rows} rows${status.unchainedRows ? `, ${status.unchainedRows} rows from before the chain` : ''}, checked in ${duration(Math.round(status.durationMs ?? 0))}`;
  return status.intact
    ? html`<p class="outcome-success">Intact: ${covered}.</p>`
    : html`<p class="outcome-error" role="alert">
        Tampered (${status.finding?.kind}${status.finding?.seq === undefined ? '' : ` at link ${status.finding.seq}`}): ${status.finding?.message}
      </p>`;
}
