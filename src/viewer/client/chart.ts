import { html, svg } from 'lit-html';
import type { TimelineBucket } from './api.js';

const WIDTH = 600;
const HEIGHT = 120;
const SERIES = [
  { key: 'success', label: 'success', of: (b: TimelineBucket) => b.events - b.errors - b.denied },
  { key: 'error', label: 'error', of: (b: TimelineBucket) => b.errors },
  { key: 'permission_denied', label: 'permission denied', of: (b: TimelineBucket) => b.denied },
] as const;

/** Requests per bucket as stacked bars, one colour per outcome; each bar's title gives its counts. */
export function activityChart(buckets: readonly TimelineBucket[], caption: string) {
  if (buckets.length === 0)
    return html`<figure class="chart">
      <figcaption>${caption}</figcaption>
      <p class="empty">No activity in this window.</p>
    </figure>`;
  const highest = Math.max(...buckets.map((bucket) => bucket.events), 1);
  const step = WIDTH / buckets.length;
  const barWidth = Math.max(step - 1, 1);
  const bars = buckets.map((bucket, index) => {
    let top = HEIGHT;
    const parts = SERIES.map(({ key, of }) => {
      const height = (of(bucket) / highest) * HEIGHT;
      top -= height;
      return height > 0 ? svg`<rect class="bar-${key}" x=${index * step} y=${top} width=${barWidth} height=${height}></rect>` : svg``;
    });
    const title = `${new Date(bucket.bucket).toLocaleString()}: ${SERIES.map(({ label, of }) => `${of(bucket)} ${label}`).join(', ')}`;
    return svg`<g><title>${title}</title>${parts}</g>`;
  });
  const first = new Date(buckets[0]!.bucket).toLocaleString();
  const last = new Date(buckets.at(-1)!.bucket).toLocaleString();
  return html`<figure class="chart">
    <figcaption>${caption} <span class="muted">(max ${highest} per bucket)</span></figcaption>
    <svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label=${`${caption}, ${first} to ${last}`}>${bars}</svg>
    <div class="axis"><span>${first}</span><span>${last}</span></div>
    <ul class="legend">
      ${SERIES.map(({ key, label }) => html`<li><span class="swatch bar-${key}"></span>${label}</li>`)}
    </ul>
  </figure>`;
}
