import { execFileSync, spawnSync } from 'node:child_process';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  help?: string;
  type?: string;
  readonly samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/y;
const SUFFIXES = ['_bucket', '_count', '_sum', '_total', '_created'];

/**
 * A strict parser of the Prometheus text format (0.0.4): every line must be a comment, a HELP/TYPE line or a
 * well-formed sample of a family that has both. Throws on anything else.
 */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => families.get(name) ?? families.set(name, { name, samples: [] }).get(name)!;
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const meta = new RegExp(`^# (HELP|TYPE) (${NAME}) (.*)$`).exec(line);
    if (meta) {
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (kind === 'HELP') family(name).help = rest;
      else if (['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) family(name).type = rest;
      else throw new Error(`line ${index + 1}: unknown type ${rest}`);
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1} is not a sample: ${line}`);
    const [, name, labelText = '', valueText] = match as unknown as [string, string, string | undefined, string];
    const value = parseValue(valueText);
    if (value === undefined) throw new Error(`line ${index + 1}: bad value ${valueText}`);
    const owner = families.get(name) ?? families.get(SUFFIXES.reduce((base, suffix) => (base.endsWith(suffix) ? base.slice(0, -suffix.length) : base), name));
    if (!owner?.help || !owner.type) throw new Error(`line ${index + 1}: sample ${name} has no HELP and TYPE`);
    owner.samples.push({ name, labels: parseLabels(labelText, index + 1), value });
  }
  return families;
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case. */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return Number.NaN;
  const infinity = /^([+-]?)inf$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

function parseLabels(text: string, lineNumber: number): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`line ${lineNumber}: bad labels {${text}}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** The value of one sample, or undefined when no sample has exactly these labels. */
export function sampleValue(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    const sample = family.samples.find(
      (s) => s.name === sampleName && Object.keys(s.labels).length === Object.keys(labels).length && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (sample) return sample.value;
  }
  return undefined;
}

/** Path of a binary on PATH, or undefined. */
export function which(binary: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

/** `promtool check metrics` on an exposition: its output, or throws with promtool's complaint. */
export function promtoolCheckMetrics(promtool: string, exposition: string): string {
  return execFileSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}
