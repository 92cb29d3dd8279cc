// An existing Koa app with auditing added: `npm run example:koa`.
// With no DATABASE_URL set, rows go to the embedded SQLite file .audit-trail/audit.sqlite.
import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import { auditTrail, authorsRouter } from 'audit-trail/koa';

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
  curl localhost:${port}/admin ; curl localhost:${port}/boom ; curl localhost:${port}/recent`);
});

process.once('SIGTERM', () => server.close(() => void audit.close()));
process.once('SIGINT', () => server.close(() => void audit.close()));
