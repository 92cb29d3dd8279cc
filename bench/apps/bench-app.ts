import type { RequestListener } from 'node:http';
import { expressApp } from './express.js';
import { koaApp } from './koa.js';

/** One server under test, as the child process sees it. */
export interface BenchApp {
  readonly handler: RequestListener;
  ready(): Promise<void>;
  /** Resolves once every request answered so far has its row stored (no-op without auditing). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export const SERVER_KINDS = ['express', 'express-pino', 'express-audit', 'koa', 'koa-audit'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export const SERVER_LABELS: Record<ServerKind, string> = {
  express: 'Express (bare)',
  'express-pino': 'Express + pino-http (file)',
  'express-audit': 'Express + auditTrail (PG)',
  koa: 'Koa (bare)',
  'koa-audit': 'Koa + auditTrail (PG)',
};

/** The bare server each one is compared with. */
export const BASELINE: Record<ServerKind, ServerKind> = {
  express: 'express',
  'express-pino': 'express',
  'express-audit': 'express',
  koa: 'koa',
  'koa-audit': 'koa',
};

export function isAudited(kind: ServerKind): boolean {
  return kind.endsWith('-audit');
}

export function buildApp(kind: ServerKind, settings: { databaseUrl: string; logFile: string }): BenchApp {
  switch (kind) {
    case 'express':
      return expressApp('none', settings);
    case 'express-pino':
      return expressApp('pino', settings);
    case 'express-audit':
      return expressApp('audit', settings);
    case 'koa':
      return koaApp(false, settings);
    case 'koa-audit':
      return koaApp(true, settings);
  }
}
