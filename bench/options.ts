import { parseArgs } from 'node:util';

/** http: as fast as each server answers, GET only and the mix; fixed: every server at --rate; bodies: 60 KB POSTs at 400 req/s. */
export const PARTS = ['http', 'fixed', 'bodies', 'rss', 'writer', 'authors', 'query'] as const;
export type Part = (typeof PARTS)[number];

export interface BenchOptions {
  readonly parts: readonly Part[];
  /** Seconds per measured autocannon run. */
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly connections: number;
  /** The fixed-rate part's request rate, every server held at it. */
  readonly rate: number;
  /** Seconds of unmeasured load per server before round 1, so the JIT has settled. */
  readonly warmupSeconds: number;
  /** Length of the RSS-over-time run. */
  readonly rssSeconds: number;
  /** Any database on the PostgreSQL server; the bench creates and drops its own next to it. */
  readonly postgresUrl: string;
}

const HELP = `npm run bench -- [--only http,fixed,bodies,rss,writer,authors,query] [--duration 6] [--rounds 4]
                  [--connections 20] [--rate 3000] [--warmup 2] [--rss-duration 60]
http:   every server as fast as it answers, on GET only and on the GET / JSON POST mix (req/s ratios, busy µs/req)
fixed:  every server held at --rate req/s on the mix (p99 and event-loop delay against bare)
bodies: bare and audited Express at 400 req/s with 60 KB JSON bodies (p99 and event-loop delay)
rss:    audited Express for --rss-duration seconds (RSS trend); writer, authors, query: the sibling benches.
Each flag also reads BENCH_<NAME> from the environment (BENCH_ONLY, BENCH_DURATION, BENCH_RSS_DURATION, …).
PostgreSQL: BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres.`;

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      rate: { type: 'string' },
      warmup: { type: 'string' },
      'rss-duration': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const setting = (name: keyof typeof values & string) => (values[name] as string | undefined) ?? env[`BENCH_${name.toUpperCase().replace('-', '_')}`];
  return {
    parts: partsOf(setting('only')),
    durationSeconds: positive('duration', setting('duration') ?? '6'),
    rounds: positive('rounds', setting('rounds') ?? '4'),
    connections: positive('connections', setting('connections') ?? '20'),
    rate: positive('rate', setting('rate') ?? '3000'),
    warmupSeconds: positive('warmup', setting('warmup') ?? '2'),
    rssSeconds: positive('rss-duration', setting('rss-duration') ?? '60'),
    postgresUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function partsOf(only: string | undefined): Part[] {
  if (only === undefined) return [...PARTS];
  const parts = only.split(',').map((part) => part.trim());
  for (const part of parts) {
    if (!PARTS.includes(part as Part)) throw new Error(`--only takes a comma-separated list of ${PARTS.join(', ')}; got "${part}"`);
  }
  return parts as Part[];
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a whole number of at least 1; got "${text}"`);
  return value;
}
