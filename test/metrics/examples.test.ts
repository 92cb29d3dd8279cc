import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { which } from '../support/exposition.js';
import { PUBLISHED } from './published.js';

const root = path.resolve(import.meta.dirname, '../..');
const ALERTS = path.join(root, 'examples/prometheus-alerts.yml');
const promtool = which('promtool');
if (!promtool) console.log('promtool not found (Debian package `prometheus`): the alert and dashboard query checks are skipped');

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}
const dashboard = JSON.parse(readFileSync(path.join(root, 'examples/grafana-dashboard.json'), 'utf8')) as { panels: Panel[] };
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));

/** Our metric names a query uses, histogram series folded into their family. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(?:db|http|audit|pagination)_[a-z_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, ''));
}

describe('examples/grafana-dashboard.json', () => {
  it('E01 has the panels the issue asks for', () => {
    const titles = dashboard.panels.map((panel) => panel.title);
    for (const wanted of ['Request rate by route', 'Request latency p95 by route', 'Audit outcomes', 'Audit queue depth', 'Audit events dropped', 'Slow queries']) {
      expect(titles).toContain(wanted);
    }
  });

  it('E02 queries only metrics the route publishes, and route by its template label', () => {
    for (const { panel, expr } of queries) {
      expect(metricsIn(expr).length, panel).toBeGreaterThan(0);
      for (const metric of metricsIn(expr)) expect(Object.keys(PUBLISHED), `${panel}: ${metric}`).toContain(metric);
    }
    expect(queries.some(({ expr }) => expr.includes('by (route)'))).toBe(true);
  });

  it.skipIf(!promtool)('E03 has queries that Prometheus parses (each checked as a recording rule by promtool)', () => {
    const rules = queries.map(({ expr }, index) => ({
      record: `dashboard:query_${index}`,
      expr: expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.+'),
    }));
    const work = mkdtempSync(path.join(tmpdir(), 'audit-trail-dashboard-'));
    try {
      const file = path.join(work, 'dashboard-queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      expect(execFileSync(promtool!, ['check', 'rules', file], { encoding: 'utf8' })).toContain(`SUCCESS: ${rules.length} rules found`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!promtool)('examples/prometheus-alerts.yml', () => {
  it('E04 passes promtool check rules', () => {
    expect(execFileSync(promtool!, ['check', 'rules', ALERTS], { encoding: 'utf8' })).toContain('SUCCESS: 3 rules found');
  });

  it('E05 fires on drops, a queue near capacity and p95 queries over 0.5 s, and not on healthy series (promtool test rules)', () => {
    const output = execFileSync(promtool!, ['test', 'rules', path.join(root, 'test/fixtures/prometheus-alerts.test.yml')], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
  });

  it('E06 alerts on metrics the route publishes', () => {
    for (const metric of metricsIn(readFileSync(ALERTS, 'utf8'))) expect(Object.keys(PUBLISHED)).toContain(metric);
  });
});
