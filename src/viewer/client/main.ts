import { html, nothing, render } from 'lit-html';
import { apiUrl, getJson, type Change, type Entry, type Page, type SlowOperation, type TimelineBucket } from './api.js';
import { chainPanel, verifyChain, type ChainState } from './chain.js';
import { activityChart } from './chart.js';
import { entryDetail, type ChangesState } from './detail.js';
import { filterBar } from './filter-bar.js';
import { readState, reportWindow, searchOf, type Filters, type ViewState } from './filters.js';
import { slowestOperations, topFailedActions } from './reports.js';
import styles from './styles.css';
import { entriesTable } from './table.js';

// A constructed sheet is no inline style: the page's Content-Security-Policy forbids those.
const sheet = new CSSStyleSheet();
sheet.replaceSync(styles);
document.adoptedStyleSheets = [sheet];

interface Reports {
  timeline: TimelineBucket[];
  caption: string;
  failures: Entry[];
  slow: SlowOperation[];
}

interface App {
  view: ViewState;
  /** The cursors of the pages before this one, '' for the first: "Newer" walks back along them. */
  stack: string[];
  page: Page | undefined;
  loading: boolean;
  error: string | undefined;
  reports: Reports | undefined;
  reportsError: string | undefined;
  detail: Entry | undefined;
  changes: ChangesState;
  chain: ChainState;
}

let app: App = {
  view: readState(location.search),
  stack: [],
  page: undefined,
  loading: true,
  error: undefined,
  reports: undefined,
  reportsError: undefined,
  detail: undefined,
  changes: undefined,
  chain: undefined,
};
let openedFrom: HTMLElement | undefined;
let loads = 0;
let reportsKey: string | undefined;

function update(change: Partial<App>): void {
  app = { ...app, ...change };
  render(view(), document.body);
}

function navigate(next: ViewState, stack: string[]): void {
  const search = searchOf(next).toString();
  history.pushState({ stack }, '', search ? `?${search}` : location.pathname);
  void load();
}

async function load(): Promise<void> {
  const ticket = ++loads; // a later load supersedes this one's answer
  const state = readState(location.search);
  update({ view: state, stack: (history.state as { stack?: string[] } | null)?.stack ?? [], loading: true, error: undefined });
  void loadReports(state.filters);
  try {
    const page = await getJson<Page>('', searchOf(state));
    if (ticket === loads) update({ page, loading: false });
  } catch (error) {
    if (ticket === loads) update({ page: undefined, loading: false, error: (error as Error).message });
  }
}

/** The chart and the two reports follow the time window and the user; they reload only when those change. */
async function loadReports(filters: Filters): Promise<void> {
  const { since, bucket, label } = reportWindow(filters);
  const user: Record<string, string> = filters.userId ? { userId: filters.userId } : filters.username ? { username: filters.username } : {};
  const key = JSON.stringify([since, bucket, user]);
  if (key === reportsKey) return;
  reportsKey = key;
  try {
    const [timeline, failures, slow] = await Promise.all([
      getJson<{ data: TimelineBucket[] }>('reports/timeline', new URLSearchParams({ since, bucket, ...(user.userId ? { userId: user.userId } : {}) })),
      getJson<Page>('reports/failed', new URLSearchParams({ since, limit: '500', ...user })),
      getJson<{ data: SlowOperation[] }>('reports/slow', new URLSearchParams({ since })),
    ]);
    const who = user.userId && !filters.username ? `user ${user.userId}` : 'all users';
    if (key === reportsKey)
      update({ reports: { timeline: timeline.data, caption: `Requests per ${bucket}, ${label}, ${who}`, failures: failures.data, slow: slow.data }, reportsError: undefined });
  } catch (error) {
    if (key === reportsKey) update({ reports: undefined, reportsError: (error as Error).message });
  }
}

async function loadChanges(entry: Entry): Promise<void> {
  try {
    const page = await getJson<{ data: Change[] }>(`${encodeURIComponent(entry.eventId!)}/changes`, new URLSearchParams({ limit: '200' }));
    if (app.detail === entry) update({ changes: { changes: page.data } });
  } catch (error) {
    if (app.detail === entry) update({ changes: { error: (error as Error).message } });
  }
}

async function checkChain(): Promise<void> {
  update({ chain: { checking: true } });
  try {
    update({ chain: { status: await verifyChain() } });
  } catch (error) {
    update({ chain: { error: (error as Error).message } });
  }
}

function openDetail(entry: Entry, row: HTMLElement): void {
  openedFrom = row;
  update({ detail: entry, changes: entry.eventId ? { loading: true } : undefined });
  if (entry.eventId) void loadChanges(entry);
  const dialog = document.getElementById('detail') as HTMLDialogElement;
  if (!dialog.open) dialog.showModal();
}

function closeDetail(): void {
  (document.getElementById('detail') as HTMLDialogElement).close();
}

function onDialogClose(): void {
  update({ detail: undefined, changes: undefined });
  openedFrom?.focus();
}

function exportLink(format: 'csv' | 'jsonl') {
  const params = searchOf({ ...app.view, cursor: undefined, limit: undefined });
  params.set('format', format);
  return html`<a class="button secondary" href=${apiUrl('export', params)} download=${`audit-log.${format}`}>Export ${format.toUpperCase()}</a>`;
}

function pager() {
  const { view: state, stack, page } = app;
  const older = page?.nextCursor ?? null;
  return html`<nav class="pager" aria-label="Pages">
    <button type="button" class="secondary" ?disabled=${!state.cursor} @click=${() => navigate({ ...state, cursor: stack.at(-1) || undefined }, stack.slice(0, -1))}>
      ← Newer
    </button>
    <span class="muted">Page ${stack.length + 1}</span>
    <button type="button" class="secondary" ?disabled=${!older} @click=${() => navigate({ ...state, cursor: older ?? undefined }, [...stack, state.cursor ?? ''])}>Older →</button>
  </nav>`;
}

function view() {
  const { reports } = app;
  return html`<header class="top">
      <h1>Audit log</h1>
      <nav class="exports" aria-label="Export">${exportLink('csv')} ${exportLink('jsonl')}</nav>
    </header>
    ${filterBar(app.view.filters, (filters) => navigate({ filters, cursor: undefined, limit: app.view.limit }, []))}
    <section class="overview" aria-label="Overview">
      ${reports ? [activityChart(reports.timeline, reports.caption), topFailedActions(reports.failures), slowestOperations(reports.slow)] : nothing}
      ${app.reportsError ? html`<p class="error" role="alert">Reports: ${app.reportsError}</p>` : nothing} ${chainPanel(app.chain, () => void checkChain())}
    </section>
    <main aria-busy=${app.loading ? 'true' : 'false'}>
      ${app.error ? html`<p class="error" role="alert">${app.error}</p>` : nothing}
      ${app.page ? entriesTable(app.page.data, openDetail) : app.loading ? html`<p class="muted">Loading…</p>` : nothing} ${pager()}
    </main>
    <dialog id="detail" aria-labelledby="detail-title" @close=${onDialogClose}>${app.detail ? entryDetail(app.detail, app.changes, closeDetail) : nothing}</dialog>`;
}

window.addEventListener('popstate', () => void load());
// "/" jumps to the filters, as on many sites; not while typing.
document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement;
  if (event.key !== '/' || target.closest('input, select, textarea, dialog')) return;
  event.preventDefault();
  document.querySelector<HTMLInputElement>('.filters input')?.focus();
});
history.replaceState({ stack: (history.state as { stack?: string[] } | null)?.stack ?? [] }, '');
void load();
