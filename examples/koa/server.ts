// An existing Koa app with auditing added: `npm run example:koa`. The Express example's twin, route for route.
// With no DATABASE_URL set, rows go to the embedded SQLite file .audit-trail/audit.sqlite.
import type { IncomingMessage } from 'node:http';
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { auditLogRouter, auditTrail, auditWebSocket, authorsRouter, metricsRoute } from 'audit-trail/koa';
import { ACTIONS, serveAuthorsWebSocket } from '../reference-websocket.js';
import { tryIt } from '../try-it.js';

const app = new Koa();
const audit = auditTrail({ trustProxy: 'loopback' });
const router = new Router();

app.use(audit); // first: it wraps everything downstream, errors included

// Prometheus scrapes GET /metrics. A public /metrics leaks route names and volumes: set METRICS_PASSWORD to
// require basic auth (user METRICS_USERNAME, default `prometheus`).
const metricsPassword = process.env.METRICS_PASSWORD;
app.use(
  metricsRoute(audit, {
    path: '/metrics',
    defaultMetrics: true,
    guard: metricsPassword ? { username: process.env.METRICS_USERNAME ?? 'prometheus', password: metricsPassword } : undefined,
  }),
);
app.use(bodyParser());

// Stands in for the host's real auth (e.g. a Keycloak JWT check): a Keycloak-shaped user per request and per
// WebSocket upgrade, named by the x-user header or, for a browser, the x-user cookie that /as/:name sets.
function authenticate(req: IncomingMessage): unknown {
  const header = req.headers['x-user'];
  const username = typeof header === 'string' ? header : /(?:^|;\s*)x-user=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (!username) return undefined;
  return ((req as { user?: unknown }).user = {
    sub: `user-${username}`,
    preferred_username: username,
    realm_access: { roles: username === 'admin' ? ['get-authors', 'audit-reader'] : ['get-authors'] },
    resource_access: { 'authors-api': { roles: username === 'admin' ? ['create-author'] : [] } },
  });
}
app.use(async (ctx, next) => {
  ctx.state.user = authenticate(ctx.req);
  await next();
});

// The authors API on the trail's own database (and Redis, when REDIS_URL is set), listing open to
// holders of get-authors and creating to holders of create-author.
app.use(authorsRouter(audit, { prefix: '/authors', roles: { list: ['get-authors'], get: ['get-authors'], create: ['create-author'] } }));

// The trail itself, for holders of audit-reader; anyone else gets a 403, itself recorded. viewer: true
// adds the page a browser gets at /audit-log/ (the JSON API stays where it is).
app.use(auditLogRouter(audit, { prefix: '/audit-log', authorize: ({ roles }) => roles.includes('audit-reader'), viewer: true }));
router.get('/as/:name', (ctx) => {
  ctx.cookies.set('x-user', ctx.params.name, { httpOnly: true, sameSite: 'strict' });
  ctx.redirect('/audit-log/');
});

router.get('/hello', (ctx) => void (ctx.body = { hello: ctx.state.user?.preferred_username ?? 'stranger' }));
router.post('/login', (ctx) => void (ctx.body = { ok: true })); // its password field is stored as [REDACTED]
router.get('/admin', (ctx) => {
  ctx.status = 403;
  ctx.body = { error: 'forbidden' };
});
router.get('/boom', () => {
  throw new Error('something broke'); // recorded with its message; Koa answers 500, with X-Request-ID
});

// The last rows, so you can see what was recorded.
router.get('/recent', async (ctx) => {
  const { models } = await audit.trail.store();
  ctx.body = await models.UserAction.findAll({ order: [['id', 'DESC']], limit: 10 });
});
// The last model changes, each with the event_id of the request that made it (docs/changes.md).
router.get('/recent-changes', async (ctx) => {
  const { sequelize } = await audit.trail.store();
  const [rows] = await sequelize.query('SELECT * FROM user_action_changes ORDER BY timestamp DESC LIMIT 10');
  ctx.body = rows;
});
app.use(router.routes());

const port = Number(process.env.PORT ?? 3001);
await audit.ready();
// Who changed what: every committed write to the authors table, tied to the request that made it. Your
// own models work the same way: audit.trackChanges(yourSequelize, { models: ['Invoice'] }).
audit.trackChanges((await audit.trail.store()).sequelize, { models: ['AuditTrailAuthor'] });
const server = app.listen(port, () => {
  console.log(tryIt('Koa', port));
});

// WebSockets on /ws in the reference design's shape (examples/reference-websocket.ts), every message a row.
auditWebSocket(serveAuthorsWebSocket(server, audit.trail, authenticate), audit, { actions: ACTIONS });

process.once('SIGTERM', () => server.close(() => void audit.close()));
process.once('SIGINT', () => server.close(() => void audit.close()));
