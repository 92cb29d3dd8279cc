// The package's public surface, pinned: a value or type added to or dropped from an entry point fails here,
// so the change is made on purpose (and noted in the CHANGELOG).
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import * as express from '../adapters/express.js';
import * as koa from '../adapters/koa.js';

const CORE_VALUES = ['AuditTrailError', 'DEFAULTS', 'DEFAULT_SENSITIVE_KEYS', 'DEFAULT_SENSITIVE_QUERY_KEYS', 'createAuditTrail'];
const ADAPTER_VALUES = [...CORE_VALUES, 'auditLogRouter', 'auditTrail', 'auditWebSocket', 'authorsRouter', 'metricsRoute'].sort();

const CORE_TYPES = [
  'ActivityTimelineQuery',
  'AuditEvent',
  'Checkpoint',
  'Finding',
  'FindingKind',
  'IntegrityOptions',
  'VerifyOptions',
  'VerifyReport',
  'AuditLogEntry',
  'AuditLogFilters',
  'AuditLogPage',
  'AuditLogQuery',
  'AuditTrail',
  'AuditTrailConfig',
  'AuditTrailErrorCode',
  'AuditTrailOptions',
  'AuthorRow',
  'BasicAuthCredentials',
  'Bucket',
  'FailedActionsQuery',
  'Logger',
  'MetricsGuard',
  'MetricsRequest',
  'MetricsRouteOptions',
  'Outcome',
  'OverflowPolicy',
  'PartitioningOptions',
  'PoolOptions',
  'PruneOptions',
  'PruneResult',
  'RetentionOptions',
  'SlowOperation',
  'SlowOperationsQuery',
  'Store',
  'TimeArgument',
  'TimelineBucket',
  'TrailReader',
  'UserActionRow',
  'WriteMode',
  'Actor',
  'ChangeEntry',
  'ChangeEvent',
  'ChangeOperation',
  'ChangePage',
  'ChangeQuery',
  'ChangesHandle',
  'TrackChangesOptions',
];
const ADAPTER_TYPES = [
  'AuditLogRequest',
  'AuditLogRouteName',
  'AuditLogRouterOptions',
  'AuthorRouteName',
  'AuthorsRouterOptions',
  'CaptureOptions',
  'WebSocketAudit',
  'WebSocketAuditOptions',
  'WebSocketServerLike',
];
const EXPRESS_TYPES = ['ExpressAuditLogRouter', 'ExpressAuditMiddleware', 'ExpressAuditOptions', 'ExpressAuthorsRouter'];
const KOA_TYPES = [
  'KoaAuditLogRouter',
  'KoaAuditLogRouterOptions',
  'KoaAuditMiddleware',
  'KoaAuditOptions',
  'KoaAuthorsRouter',
  'KoaAuthorsRouterOptions',
  'KoaMetricsRouteOptions',
];

const root = path.resolve(import.meta.dirname, '..');
const ENTRIES = { core: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts' };

/** Every name an entry exports, values and types, as the compiler sees it. */
function exportedNames(): Record<keyof typeof ENTRIES, string[]> {
  const files = Object.values(ENTRIES).map((file) => path.join(root, file));
  const program = ts.createProgram(files, { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const names = (file: string) =>
    checker
      .getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(path.join(root, file))!)!)
      .map((symbol) => symbol.name)
      .sort();
  return { core: names(ENTRIES.core), express: names(ENTRIES.express), koa: names(ENTRIES.koa) };
}

describe('the public surface', () => {
  it('S01 pins the values each entry point exports', () => {
    expect(Object.keys(core).sort()).toEqual(CORE_VALUES);
    expect(Object.keys(express).sort()).toEqual(ADAPTER_VALUES);
    expect(Object.keys(koa).sort()).toEqual(ADAPTER_VALUES);
  });

  it('S02 pins every name each entry point exports, types included', () => {
    const names = exportedNames();
    expect(names.core).toEqual([...CORE_VALUES, ...CORE_TYPES].sort());
    expect(names.express).toEqual([...ADAPTER_VALUES, ...CORE_TYPES, ...ADAPTER_TYPES, ...EXPRESS_TYPES].sort());
    expect(names.koa).toEqual([...ADAPTER_VALUES, ...CORE_TYPES, ...ADAPTER_TYPES, ...KOA_TYPES].sort());
  }, 60_000);
});
