// An existing Express app with auditing added: `npm run example`.
// With no DATABASE_URL set, rows go to the embedded SQLite file .audit-trail/audit.sqlite.
import type { IncomingMessage } from 'node:http';
import express from 'express';
import { auditLogRouter, auditTrail, auditWebSocket, authorsRouter, metricsRoute } from 'audit-trail/express';
import { ACTIONS, serveAuthorsWebSocket } from '../reference-websocket.js';
import { tryIt } from '../try-it.js';

const app = express();
const audit = auditTrail({ trustProxy: 'loopback' });

app.use(audit); // first, so the clock starts on arrival
app.use(express.json());

// Prometheus scrapes here. A public /metrics leaks route names and volumes: set METRICS_PASSWORD to
// require basic auth (user METRICS_USERNAME, default `prometheus`).
const metricsPassword = process.env.METRICS_PASSWORD;
app.get(
  '/metrics',
  metricsRoute(audit, {
    defaultMetrics: true,
    guard: metricsPassword ? { username: process.env.METRICS_USERNAME ?? 'prometheus', password: metricsPassword } : undefined,
  }),
);

// Stands in for the host's real auth (e.g. a Keycloak JWT check): a Keycloak-shaped user per request and per
// WebSocket upgrade, named by the x-user header or, for a browser, the x-user cookie that /as/:name sets.
function authenticate(req: IncomingMessage): void {
  const header = req.headers['x-user'];
  const username = typeof header === 'string' ? header : /(?:^|;\s*)x-user=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
  if (!username) return;
  (req as { user?: unknown }).user = {
    sub: `user-${username}`,
    preferred_username: username,
    realm_access: { roles: username === 'admin' ? ['get-authors', 'audit-reader'] : ['get-authors'] },
    resource_access: { 'authors-api': { roles: username === 'admin' ? ['create-author'] : [] } },
  };
}
app.use((req, _res, next) => {
  authenticate(req);
  next();
});

// The authors API on the trail's own database (and Redis, when REDIS_URL is set), listing open to
// holders of get-authors and creating and renaming to holders of create-author.
app.use('/authors', authorsRouter(audit, { roles: { list: ['get-authors'], get: ['get-authors'], create: ['create-author'], update: ['create-author'] } }));

// The trail itself, for holders of audit-reader; anyone else gets a 403, itself recorded. viewer: true
// adds the page a browser gets at /audit-log/ (the JSON API stays where it is).
app.use('/audit-log', auditLogRouter(audit, { authorize: ({ roles }) => roles.includes('audit-reader'), viewer: true }));
app.get('/as/:name', (req, res) => void res.cookie('x-user', req.params.name, { httpOnly: true, sameSite: 'strict' }).redirect('/audit-log/'));

app.get('/hello', (req, res) => void res.json({ hello: (req as { user?: { preferred_username: string } }).user?.preferred_username ?? 'stranger' }));
app.post('/login', (_req, res) => void res.json({ ok: true })); // its password field is stored as [REDACTED]
app.get('/admin', (_req, res) => void res.status(403).json({ error: 'forbidden' }));
app.get('/boom', () => {
  throw new Error('something broke');
});

// The last rows, so you can see what was recorded.
app.get('/recent', async (_req, res) => {
  const { models } = await audit.trail.store();
  res.json(await models.UserAction.findAll({ order: [['id', 'DESC']], limit: 10 }));
});

// The last model changes, each with the event_id of the request that made it (docs/changes.md).
app.get('/recent-changes', async (_req, res) => {
  const { sequelize } = await audit.trail.store();
  const [rows] = await sequelize.query('SELECT * FROM user_action_changes ORDER BY timestamp DESC LIMIT 10');
  res.json(rows);
});

app.use(audit.errorHandler); // after the routes: records the error message, then passes it on
app.use(((error, _req, res, _next) => void res.status(500).json({ error: error.message })) as express.ErrorRequestHandler);

const port = Number(process.env.PORT ?? 3000);
await audit.ready();
// Who changed what: every committed write to the authors table, tied to the request that made it. Your
// own models work the same way: audit.trackChanges(yourSequelize, { models: ['Invoice'] }).
audit.trackChanges((await audit.trail.store()).sequelize, { models: ['AuditTrailAuthor'] });
const server = app.listen(port, () => {
  console.log(tryIt('Express', port));
});

// WebSockets on /ws in the reference design's shape (examples/reference-websocket.ts), every message a row.
auditWebSocket(serveAuthorsWebSocket(server, audit.trail, authenticate), audit, { actions: ACTIONS });

process.once('SIGTERM', () => server.close(() => void audit.close()));
process.once('SIGINT', () => server.close(() => void audit.close()));
