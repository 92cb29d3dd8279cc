import type { BenchDatabase } from './bench-database.js';
import { load } from './load.js';
import { ServerProcess } from './server-process.js';
import { linearFit } from './stats.js';
import { check } from './table.js';
import { exactly, type Target } from './targets.js';
import { WORKLOADS } from './workload.js';

export interface TrendSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly logFile: string;
}

const SAMPLE_EVERY_MS = 2_000;
/** A rise, fitted over the second half, above this share of the RSS counts as growth… */
const GROWTH_TOLERANCE = 0.03;
/** …if the slope also stands out of the garbage collector's sawtooth by this many standard errors. */
const SIGNIFICANCE = 2;

/** Loads the audited Express server for a while and fits a line through its RSS over the second half. */
export async function rssTrend(database: BenchDatabase, settings: TrendSettings): Promise<{ lines: string[]; targets: Target[] }> {
  const server = await ServerProcess.start('express-audit', { BENCH_DATABASE_URL: database.url, BENCH_LOG_FILE: settings.logFile });
  try {
    await server.begin(false);
    await database.truncate();
    const samples: Array<{ x: number; y: number }> = [];
    const started = Date.now();
    const sampler = setInterval(() => samples.push({ x: (Date.now() - started) / 60_000, y: server.memory().rssMiB }), SAMPLE_EVERY_MS);
    const result = await load(server.url, { ...settings, workload: WORKLOADS.mix });
    clearInterval(sampler);
    const { requests } = await server.end();
    const rows = await database.rows();

    const secondHalf = samples.slice(samples.length >> 1);
    const { slope: perMinute, standardError } = linearFit(secondHalf);
    const mean = secondHalf.reduce((total, sample) => total + sample.y, 0) / secondHalf.length;
    const rise = perMinute * (settings.durationSeconds / 2 / 60);
    const grows = rise > mean * GROWTH_TOLERANCE && perMinute > SIGNIFICANCE * standardError;
    const trend = `${perMinute >= 0 ? '+' : ''}${perMinute.toFixed(1)} ± ${standardError.toFixed(1)} MiB/min around ${mean.toFixed(0)} MiB`;
    const trace = samples.map((sample) => sample.y.toFixed(0)).join(' ');
    return {
      lines: [
        `RSS of audited Express over ${settings.durationSeconds} s at ${Math.round(result.requestsPerSecond)} req/s, MiB every ${SAMPLE_EVERY_MS / 1000} s:`,
        `  ${trace}`,
        check(!grows, `second-half trend ${trend} (growth: fitted rise > ${GROWTH_TOLERANCE * 100}% and slope > ${SIGNIFICANCE} standard errors)`),
        check(rows === requests, `${rows} rows for ${requests} requests`),
      ],
      targets: [
        {
          name: `RSS flat over ${settings.durationSeconds} s, audited Express`,
          met: !grows,
          measured: trend,
          gap: `second-half rise ${rise.toFixed(1)} MiB against ${(mean * GROWTH_TOLERANCE).toFixed(1)} MiB allowed, slope ${(perMinute / standardError).toFixed(1)} standard errors (growth above ${SIGNIFICANCE})`,
        },
        exactly('0 rows lost, RSS run', rows, requests, `${rows} rows for ${requests} requests`),
      ],
    };
  } finally {
    await server.stop();
  }
}
