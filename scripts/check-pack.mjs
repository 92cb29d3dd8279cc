// Packs the package as npm would publish it, installs the tarball into a clean temporary app, and checks
// that every entry point imports under ESM and CJS, that their types resolve, that the bin runs, and that the
// README's two apps (ESM and CommonJS) run in fresh apps of their own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkReadmeApps } from './readme-apps.mjs';

const root = path.resolve(import.meta.dirname, '..');
const app = mkdtempSync(path.join(tmpdir(), 'audit-trail-pack-'));
const ENTRY_POINTS = { 'audit-trail': 'createAuditTrail', 'audit-trail/express': 'auditTrail', 'audit-trail/koa': 'auditTrail' };

function run(command, args, cwd = app) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

try {
  const tarball = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', app], root))[0].filename;
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', path.join(app, tarball)]);

  const checks = Object.entries(ENTRY_POINTS);
  writeFileSync(
    path.join(app, 'esm.mjs'),
    checks
      .map(([spec, name], i) => `import { ${name} as e${i} } from '${spec}'; if (typeof e${i} !== 'function') throw new Error('${spec}: ${name} missing under ESM');`)
      .join('\n'),
  );
  writeFileSync(
    path.join(app, 'cjs.cjs'),
    checks.map(([spec, name]) => `if (typeof require('${spec}').${name} !== 'function') throw new Error('${spec}: ${name} missing under CJS');`).join('\n'),
  );
  run('node', ['esm.mjs']);
  run('node', ['cjs.cjs']);

  // One core behind every entry point: the adapters re-export the core's own values (one AuditTrailError class,
  // one set of module-level state), not copies bundled beside them, under ESM and CJS alike.
  const SHARED = ['AuditTrailError', 'createAuditTrail', 'DEFAULTS', 'DEFAULT_SENSITIVE_KEYS'];
  const identity = (entries) =>
    SHARED.map(
      (name) => `for (const [spec, entry] of Object.entries(${entries})) if (entry.${name} !== core.${name}) throw new Error(spec + ': ${name} is a copy, not the core one');`,
    ).join('\n') +
    `\nfor (const [spec, entry] of Object.entries(${entries})) {
  let thrown;
  try { entry.auditTrail({ database: 42 }); } catch (error) { thrown = error; }
  if (!(thrown instanceof core.AuditTrailError)) throw new Error(spec + ': an error thrown by the adapter is not instanceof the core AuditTrailError');
}`;
  writeFileSync(
    path.join(app, 'identity-esm.mjs'),
    `import * as core from 'audit-trail';\nimport * as express from 'audit-trail/express';\nimport * as koa from 'audit-trail/koa';\n${identity("{ 'audit-trail/express': express, 'audit-trail/koa': koa }")}`,
  );
  writeFileSync(
    path.join(app, 'identity-cjs.cjs'),
    `const core = require('audit-trail');\n${identity("{ 'audit-trail/express': require('audit-trail/express'), 'audit-trail/koa': require('audit-trail/koa') }")}`,
  );
  run('node', ['identity-esm.mjs']);
  run('node', ['identity-cjs.cjs']);

  // prom-client is an optional peer, so it is absent here: importing an adapter must work, and metricsRoute
  // must say what to install, under ESM and CJS alike.
  const peerCheck = (load) => `${load}
const trail = createAuditTrail({ database: 'postgres://127.0.0.1:1/none', connectAttempts: 1, logger: false });
let code;
try { metricsRoute(trail); } catch (error) { code = error.code; }
await trail.close();
if (code !== 'peer_missing') throw new Error('metricsRoute without prom-client: expected peer_missing, got ' + code);`;
  writeFileSync(path.join(app, 'peer-esm.mjs'), peerCheck("import { createAuditTrail, metricsRoute } from 'audit-trail/express';"));
  writeFileSync(
    path.join(app, 'peer-cjs.cjs'),
    `(async () => {\n${peerCheck("const { createAuditTrail, metricsRoute } = require('audit-trail/koa');")}\n})().catch((error) => { console.error(error); process.exit(1); });`,
  );
  run('node', ['peer-esm.mjs']);
  run('node', ['peer-cjs.cjs']);

  // PostgreSQL rows are written by dist/writer-worker.js, loaded by path: a row must land from either format.
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const scratch = `audit_trail_pack_${process.pid}`;
  const writeCheck = (load) => `${load}
const url = new URL(${JSON.stringify(server)}); url.pathname = '/${scratch}';
const trail = createAuditTrail({ database: url.toString(), logger: false });
// A writer thread that cannot load retries for ever: fail instead of hanging.
setTimeout(() => { console.error('no row written through the packed writer thread within 30 s'); process.exit(1); }, 30_000).unref();
await trail.ready();
trail.record({ timestamp: new Date(), userId: 'pack', username: 'pack', userRoles: [], actionType: 'GET', resource: '/pack',
  outcome: 'success', ipAddress: null, userAgent: null, requestId: process.argv[2], requestData: null, responseStatus: 200,
  errorMessage: null, durationMs: 1 });
await trail.flush();
const [rows] = await (await trail.store()).sequelize.query("SELECT count(*)::int AS n FROM user_actions WHERE request_id = '" + process.argv[2] + "'");
await trail.close();
if (rows[0].n !== 1) throw new Error('no row written through the packed writer thread');`;
  writeFileSync(path.join(app, 'write-esm.mjs'), writeCheck("import { createAuditTrail } from 'audit-trail';"));
  writeFileSync(
    path.join(app, 'write-cjs.cjs'),
    `(async () => {\n${writeCheck("const { createAuditTrail } = require('audit-trail');")}\n})().catch((error) => { console.error(error); process.exit(1); });`,
  );
  const admin = (sql) =>
    run('node', [
      '-e',
      `const pg = require('pg'); const c = new pg.Client(${JSON.stringify(server)}); c.connect().then(() => c.query(${JSON.stringify(sql)})).finally(() => c.end());`,
    ]);
  admin(`CREATE DATABASE ${scratch}`);
  try {
    run('node', ['write-esm.mjs', 'pack-esm']);
    run('node', ['write-cjs.cjs', 'pack-cjs']);
    const url = new URL(server);
    url.pathname = `/${scratch}`;
    await checkReadmeApps({ readmePath: path.join(root, 'README.md'), tarballPath: path.join(app, tarball), databaseUrl: url.toString() });
  } finally {
    admin(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
  }

  // The viewer's script is read from dist/viewer.js beside the bundle: it must be packed and served under both formats.
  const viewerCheck = (load) => `${load}
const http = require('node:http');
const trail = createAuditTrail({ database: 'postgres://127.0.0.1:1/none', connectAttempts: 1, logger: false });
const router = auditLogRouter(trail, { authorize: () => true, viewer: true });
const server = http.createServer((req, res) => router(req, res, () => { res.statusCode = 404; res.end(); }));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const response = await fetch('http://127.0.0.1:' + server.address().port + '/viewer/app.js');
const text = await response.text();
server.close();
await trail.close();
if (response.status !== 200 || !response.headers.get('content-type').startsWith('text/javascript') || text.length < 1000) throw new Error('the viewer script was not served: ' + response.status);`;
  writeFileSync(
    path.join(app, 'viewer-esm.mjs'),
    viewerCheck(
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);\nimport { createAuditTrail, auditLogRouter } from 'audit-trail/express';",
    ),
  );
  writeFileSync(
    path.join(app, 'viewer-cjs.cjs'),
    `(async () => {\n${viewerCheck("const { createAuditTrail, auditLogRouter } = require('audit-trail/express');")}\n})().catch((error) => { console.error(error); process.exit(1); });`,
  );
  run('node', ['viewer-esm.mjs']);
  run('node', ['viewer-cjs.cjs']);

  const typeUse = checks.map(([spec, name], i) => `import { ${name} as t${i} } from '${spec}';\nconst u${i}: Function = t${i};\nvoid u${i};`).join('\n');
  // The expect-error line fails the check if the types resolved to `any` instead of the real declarations.
  const optionTypes = (spec) =>
    `import type { AuditTrailOptions } from '${spec}';\nconst good: AuditTrailOptions = { batchSize: 10 };\n// @ts-expect-error batchSize is a number\nconst bad: AuditTrailOptions = { batchSize: 'ten' };\nvoid good; void bad;\n`;
  writeFileSync(path.join(app, 'types-esm.mts'), `${typeUse}\n${optionTypes('audit-trail')}`);
  writeFileSync(path.join(app, 'types-cjs.cts'), `${typeUse}\n${optionTypes('audit-trail/express')}`);
  // What the README promises a TypeScript host: req.id on Express, one options type per function, each
  // taking what the function takes and refusing what it ignores. Each expect-error fails the check once the
  // line type-checks.
  const readmeTypes = (format) => `import type { Request } from 'express';
import type { Context } from 'koa';
import { createAuditTrail, type AuditTrailOptions } from 'audit-trail';
import * as express from 'audit-trail/express';
import * as koa from 'audit-trail/koa';
const trailOptions: AuditTrailOptions = { batchSize: 10, spillDir: '/tmp/x' };
// @ts-expect-error skip is the mount's, not the core's
const coreSkip: AuditTrailOptions = { skip: ['/health'] };
const expressOptions: express.ExpressAuditOptions = { ...trailOptions, skip: ['/health'], trustProxy: 1, user: (req: Request) => req.headers['x-user'] };
const koaOptions: koa.KoaAuditOptions = { ...trailOptions, skip: [/^\\/internal/], trustProxy: 'loopback', recordAnonymous: false };
const expressAuthors: express.AuthorsRouterOptions = { roles: { list: ['get-authors'] }, keyPrefix: 'app:' };
// @ts-expect-error Express takes the routes' path from app.use, so its authorsRouter has no prefix
const expressAuthorsPrefix: express.AuthorsRouterOptions = { prefix: '/authors' };
const koaAuthors: koa.KoaAuthorsRouterOptions = { prefix: '/authors', roles: { delete: ['delete-author'] } };
const authorize = () => true;
const expressAuditLog: express.AuditLogRouterOptions = { authorize, viewer: true };
// @ts-expect-error nor its auditLogRouter
const expressAuditLogPrefix: express.AuditLogRouterOptions = { authorize, prefix: '/audit-log' };
const koaAuditLog: koa.KoaAuditLogRouterOptions = { authorize, prefix: '/audit-log' };
const expressMetrics: express.MetricsRouteOptions = { defaultMetrics: true };
const koaMetrics: koa.KoaMetricsRouteOptions = { path: '/metrics' };
function handler(req: Request): string { return req.id; }
function koaHandler(ctx: Context): unknown { return ctx.state.requestId; }
export function mount${format}() {
  const trail = createAuditTrail(trailOptions);
  const expressAudit = express.auditTrail(expressOptions);
  const koaAudit = koa.auditTrail(koaOptions);
  return [trail, expressAudit.errorHandler, koaAudit.flush, express.authorsRouter(expressAudit, expressAuthors), koa.authorsRouter(koaAudit, koaAuthors),
    express.auditLogRouter(trail, expressAuditLog), koa.auditLogRouter(trail, koaAuditLog), express.metricsRoute(trail, expressMetrics), koa.metricsRoute(trail, koaMetrics),
    coreSkip, expressAuthorsPrefix, expressAuditLogPrefix, handler, koaHandler];
}
`;
  // A TypeScript host brings its framework's types, as the package's own dev install does.
  const devDependencies = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).devDependencies;
  run('npm', [
    'install',
    '--no-audit',
    '--no-fund',
    '--prefer-offline',
    '--omit=optional',
    '--no-save',
    ...['@types/express', '@types/koa'].map((name) => `${name}@${devDependencies[name]}`),
  ]);
  writeFileSync(path.join(app, 'readme-esm.mts'), readmeTypes('Esm'));
  writeFileSync(path.join(app, 'readme-cjs.cts'), readmeTypes('Cjs'));
  run(path.join(root, 'node_modules/.bin/tsc'), [
    '--noEmit',
    '--strict',
    '--skipLibCheck',
    '--module',
    'node16',
    '--moduleResolution',
    'node16',
    '--types',
    'node',
    '--typeRoots',
    path.join(root, 'node_modules/@types'),
    'types-esm.mts',
    'types-cjs.cts',
    'readme-esm.mts',
    'readme-cjs.cts',
  ]);

  const help = run('npx', ['--no-install', 'audit-trail', '--help']);
  if (!help.includes('migrate up')) throw new Error('the audit-trail bin did not print its help');
  console.log(
    `pack check passed: ${tarball} imports under ESM and CJS without its optional peers, with one core behind every entry, writes rows through its worker thread and serves the viewer's script under both, its types resolve, its bin runs, and the README's ESM and CommonJS apps answer and write their rows`,
  );
} finally {
  rmSync(app, { recursive: true, force: true });
}
