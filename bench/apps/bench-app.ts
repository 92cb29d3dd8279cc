import type { RequestListener } from 'node:http';

/** One server under test, as the child process sees it. */
export interface BenchApp {
  readonly handler: RequestListener;
  ready(): Promise<void>;
  /** Resolves once every request answered so far has its row stored (no-op without auditing). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const SERVER_KINDS = ['express', 'express-minimal', 'express-pino', 'express-capture', 'express-audit', 'koa', 'koa-audit'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const SERVER_LABELS: Record<ServerKind, string> = {
  express: 'Express (bare)',
  'express-minimal': 'Express + minimal middleware',
  'express-pino': 'Express + pino-http (file)',
  'express-capture': 'Express + capture only',
  'express-audit': 'Express + auditTrail (PG)',
  koa: 'Koa (bare)',
  'koa-audit': 'Koa + auditTrail (PG)',
};

/** The bare server each one is compared with. */
export const BASELINE: Record<ServerKind, ServerKind> = {
  express: 'express',
  'express-minimal': 'express',
  'express-pino': 'express',
  'express-capture': 'express',
  'express-audit': 'express',
  koa: 'koa',
  'koa-audit': 'koa',
};

export function isAudited(kind: ServerKind): boolean {
  return kind.endsWith('-audit');
}

const EXPRESS_EXTRA = { express: 'none', 'express-minimal': 'minimal', 'express-pino': 'pino', 'express-capture': 'capture', 'express-audit': 'audit' } as const;

/** Loads only the framework the server uses, so its RSS is its own. */
export async function buildApp(kind: ServerKind, settings: { databaseUrl: string; logFile: string }): Promise<BenchApp> {
  switch (kind) {
    case 'express':
    case 'express-minimal':
    case 'express-pino':
    case 'express-capture':
    case 'express-audit': {
      const { expressApp } = await import('./express.js');
      return expressApp(EXPRESS_EXTRA[kind], settings);
    }
    case 'koa':
    case 'koa-audit': {
      const { koaApp } = await import('./koa.js');
      return koaApp(kind === 'koa-audit', settings);
    }
  }
}
