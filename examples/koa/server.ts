// An existing Koa app with auditing added: `npm run example:koa`.
// With no DATABASE_URL set, rows go to the embedded SQLite file .audit-trail/audit.sqlite.
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { WebSocketServer } from 'ws';
import { auditTrail, auditWebSocket, authorsRouter, metricsRoute } from 'audit-trail/koa';

const app = new Koa();
const audit = auditTrail();
const router = new Router();

router.get('/hello', (ctx) => void (ctx.body = { hello: ctx.state.user?.preferred_username ?? 'stranger' }));
router.post('/login', (ctx) => void (ctx.body = { ok: true })); // its password field is stored as [REDACTED]
router.get('/admin', (ctx) => {
  ctx.status = 403;
  ctx.body = { error: 'forbidden' };
});
router.get('/boom', () => {
  throw new Error('something broke'); // recorded with its message; Koa answers 500
});
router.get('/recent', async (ctx) => {
  const { models } = await audit.trail.store();
  ctx.body = await models.UserAction.findAll({ order: [['id', 'DESC']], limit: 10 });
});

app.use(audit); // first: it wraps everything downstream, errors included
// GET /metrics for Prometheus; set METRICS_PASSWORD to require basic auth (a public /metrics leaks route names).
const metricsPassword = process.env.METRICS_PASSWORD;
app.use(
  metricsRoute(audit, {
    path: '/metrics',
    defaultMetrics: true,
    guard: metricsPassword ? { username: process.env.METRICS_USERNAME ?? 'prometheus', password: metricsPassword } : undefined,
  }),
);
app.use(bodyParser());
// Stands in for the host's real auth: a Keycloak-shaped user from the x-user header.
app.use(async (ctx, next) => {
  const username = ctx.get('x-user');
  if (username) ctx.state.user = { sub: `user-${username}`, preferred_username: username, realm_access: { roles: ['get-authors'] } };
  await next();
});
app.use(router.routes());
// The authors API on the trail's own database (and Redis, when REDIS_URL is set); open, for the example.
app.use(authorsRouter(audit, { prefix: '/authors' }));

const port = Number(process.env.PORT ?? 3001);
await audit.ready();
const server = app.listen(port, () => {
  console.log(`Koa example on http://localhost:${port}, auditing every request. Try:
  curl -H 'x-user: acika' localhost:${port}/hello
  curl -H 'content-type: application/json' -d '{"name":"Ursula K. Le Guin"}' localhost:${port}/authors
  curl 'localhost:${port}/authors?search=le'
  curl localhost:${port}/admin ; curl localhost:${port}/boom ; curl localhost:${port}/recent
  curl localhost:${port}/metrics
  node -e "const ws = new (require('ws'))('ws://localhost:${port}/ws', { headers: { 'x-user': 'acika' } }); ws.on('open', () => ws.send(JSON.stringify({ pkg_id: 1, req_id: 'r-1', data: {} }))); ws.on('message', (m) => (console.log(String(m)), ws.close()))"`);
});

// WebSockets on /ws in the reference's shape, { pkg_id, req_id, data } in and { pkg_id, req_id, status_code, meta,
// data } out. The upgrade handler authenticates; a refusal goes through reject(), which records it (401 here).
const wss = new WebSocketServer({ noServer: true });
const webSockets = auditWebSocket(wss, audit, { actions: { 1: 'GET_AUTHORS' } });
server.on('upgrade', (req, socket, head) => {
  const username = req.headers['x-user'];
  if (req.url !== '/ws' || typeof username !== 'string') return webSockets.reject(req, socket, 401, 'send x-user to connect');
  (req as { user?: unknown }).user = { sub: `user-${username}`, preferred_username: username, realm_access: { roles: ['get-authors'] } };
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});
wss.on('connection', (socket) => {
  socket.on('message', async (raw) => {
    let request: { pkg_id?: number; req_id?: string };
    try {
      request = JSON.parse(String(raw));
    } catch {
      // Recorded as WS:INVALID_REQUEST; the reference answers 2, INVALID_DATA.
      return socket.send(JSON.stringify({ pkg_id: null, req_id: null, status_code: 2, meta: {}, data: {} }));
    }
    const { models } = await audit.trail.store();
    const [statusCode, data] = request.pkg_id === 1 ? [0, await models.Author.findAll({ limit: 20 })] : [1, {}]; // 0 OK, 1 ERROR
    socket.send(JSON.stringify({ pkg_id: request.pkg_id, req_id: request.req_id, status_code: statusCode, meta: {}, data }));
  });
});

process.once('SIGTERM', () => server.close(() => void audit.close()));
process.once('SIGINT', () => server.close(() => void audit.close()));
