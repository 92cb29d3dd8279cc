import { html, type TemplateResult } from 'lit-html';

/** JSON as nested, collapsible lists; objects and arrays fold, the top levels start open. Keys and values render as text. */
export function jsonTree(value: unknown, depth = 0): TemplateResult {
  if (value === null || typeof value !== 'object') return html`<span class="json-${value === null ? 'null' : typeof value}">${JSON.stringify(value)}</span>`;
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return html`<span>${open}${close}</span>`;
  return html`<details class="json" ?open=${depth < 2}>
    <summary>${open} ${entries.length} ${entries.length === 1 ? 'item' : 'items'} ${close}</summary>
    <ul>
      ${entries.map(([key, item]) => html`<li><span class="json-key">${key}</span>: ${jsonTree(item, depth + 1)}</li>`)}
    </ul>
  </details>`;
}
