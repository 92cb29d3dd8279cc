import { html } from 'lit-html';
import { live } from 'lit-html/directives/live.js';
import { MORE_FILTERS, TIME_PRESETS, type Filters } from './filters.js';

const OUTCOMES = ['success', 'error', 'permission_denied'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/** The filter bar; `apply` gets the filters as the form holds them when it is submitted or a choice changes. */
export function filterBar(filters: Filters, apply: (filters: Filters) => void) {
  const submit = (event: Event) => {
    event.preventDefault();
    apply(formFilters(event.currentTarget instanceof HTMLFormElement ? event.currentTarget : (event.currentTarget as HTMLElement).closest('form')!));
  };
  const preset = TIME_PRESETS.some((candidate) => candidate.from === filters.from) ? filters.from : filters.from || filters.to ? 'custom' : '';
  return html`<form class="filters" role="search" aria-label="Filter the audit log" @submit=${submit}>
    <label>User <input name="username" type="search" autocomplete="off" .value=${live(filters.username ?? '')} /></label>
    <label
      >Outcome
      <select name="outcome" @change=${submit}>
        <option value="" ?selected=${!filters.outcome}>any</option>
        ${OUTCOMES.map((outcome) => html`<option value=${outcome} ?selected=${filters.outcome === outcome}>${outcome.replace('_', ' ')}</option>`)}
      </select></label
    >
    <label
      >Method
      <select name="actionType" @change=${submit}>
        <option value="" ?selected=${!filters.actionType}>any</option>
        ${METHODS.map((method) => html`<option ?selected=${filters.actionType === method}>${method}</option>`)}
      </select></label
    >
    <label>Path prefix <input name="resource" type="search" placeholder="/authors/" autocomplete="off" .value=${live(stripStar(filters.resource))} /></label>
    <label>Status <input name="statusCode" inputmode="numeric" pattern="[0-9]{3}" autocomplete="off" .value=${live(filters.statusCode ?? '')} /></label>
    <label
      >Time
      <select name="preset" @change=${submit}>
        <option value="" ?selected=${preset === ''}>any time</option>
        ${TIME_PRESETS.map(({ label, from }) => html`<option value=${from} ?selected=${preset === from}>${label}</option>`)}
        <option value="custom" ?selected=${preset === 'custom'}>custom…</option>
      </select></label
    >
    ${
      preset === 'custom'
        ? html`<label>From <input name="fromLocal" type="datetime-local" .value=${live(localInput(filters.from))} /></label>
            <label>To <input name="toLocal" type="datetime-local" .value=${live(localInput(filters.to))} /></label>`
        : ''
    }
    <label>Request id <input name="requestId" type="search" autocomplete="off" .value=${live(filters.requestId ?? '')} /></label>
    ${MORE_FILTERS.filter((name) => filters[name]).map((name) => html`<label>${name} <input name=${name} autocomplete="off" .value=${live(filters[name] ?? '')} /></label>`)}
    <div class="actions">
      <button type="submit">Apply</button>
      <button type="button" class="secondary" @click=${() => apply({})}>Clear</button>
    </div>
  </form>`;
}

function formFilters(form: HTMLFormElement): Filters {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim() || undefined;
  const preset = text('preset');
  const resource = text('resource');
  const filters: Filters = {
    username: text('username'),
    ...Object.fromEntries(MORE_FILTERS.map((name) => [name, text(name)])),
    outcome: text('outcome'),
    actionType: text('actionType'),
    resource: resource === undefined || resource.endsWith('*') ? resource : `${resource}*`,
    statusCode: text('statusCode'),
    requestId: text('requestId'),
  };
  if (preset === 'custom') {
    filters.from = isoOf(text('fromLocal')) ?? new Date(Date.now() - 86_400_000).toISOString();
    filters.to = isoOf(text('toLocal'));
  } else if (preset) {
    filters.from = preset;
  }
  return filters;
}

function stripStar(resource: string | undefined): string {
  return resource?.endsWith('*') ? resource.slice(0, -1) : (resource ?? '');
}

/** A `datetime-local` value (the browser's zone) as an ISO instant, so the server never guesses a zone. */
function isoOf(local: string | undefined): string | undefined {
  if (!local) return undefined;
  const instant = new Date(local);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
}

function localInput(iso: string | undefined): string {
  const instant = iso ? new Date(iso) : undefined;
  if (!instant || Number.isNaN(instant.getTime())) return '';
  const local = new Date(instant.getTime() - instant.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
