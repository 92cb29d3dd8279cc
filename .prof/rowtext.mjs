import { randomUUID } from 'node:crypto';
const q = JSON.stringify;
const ev = (i) => ({ timestamp: new Date(), userId: `user-${i % 97}`, username: `someone-${i % 97}`, userRoles: ['reader', 'get-authors'], actionType: 'GET', resource: `/authors/${i % 1000}`, outcome: 'success', ipAddress: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench/1.0', requestId: randomUUID(), requestData: JSON.stringify({ query: { page: '2' }, route: '/authors/:id', body: { name: 'Ada', password: '[REDACTED]', tags: ['a', 'b'] } }), responseStatus: 200, errorMessage: null, durationMs: 3 });
const tpl = (id, e) => `{"event_id":"${id}","timestamp":"${e.timestamp.toISOString()}","user_id":${q(e.userId)},"username":${q(e.username)},"user_roles":${q(e.userRoles)},"action_type":${q(e.actionType)},"resource":${q(e.resource)},"outcome":${q(e.outcome)},"ip_address":${q(e.ipAddress)},"user_agent":${q(e.userAgent)},"request_id":${q(e.requestId)},"request_data":${e.requestData ?? 'null'},"response_status":${e.responseStatus},"error_message":${q(e.errorMessage)},"duration_ms":${e.durationMs}}`;
const NEEDS = /["\\\u0000-\u001f\ud800-\udfff]/;
const qs = (v) => (typeof v === 'string' ? (NEEDS.test(v) ? q(v) : `"${v}"`) : v === null ? 'null' : q(v));
const roles = (r) => { let out = '['; for (let i = 0; i < r.length; i++) out += (i ? ',' : '') + qs(r[i]); return out + ']'; };
const variants = {
  joinFast: (id, e) => ['{"event_id":"', id, '","timestamp":"', e.timestamp.toISOString(), '","user_id":', qs(e.userId), ',"username":', qs(e.username), ',"user_roles":', roles(e.userRoles), ',"action_type":', qs(e.actionType), ',"resource":', qs(e.resource), ',"outcome":', qs(e.outcome), ',"ip_address":', qs(e.ipAddress), ',"user_agent":', qs(e.userAgent), ',"request_id":', qs(e.requestId), ',"request_data":', e.requestData ?? 'null', ',"response_status":', String(e.responseStatus), ',"error_message":', qs(e.errorMessage), ',"duration_ms":', String(e.durationMs), '}'].join(''),
  noIso: (id, e) => ['{"event_id":"', id, '","timestamp":', String(e.timestamp.getTime()), ',"user_id":', q(e.userId), ',"username":', q(e.username), ',"user_roles":', q(e.userRoles), ',"action_type":', q(e.actionType), ',"resource":', q(e.resource), ',"outcome":', q(e.outcome), ',"ip_address":', q(e.ipAddress), ',"user_agent":', q(e.userAgent), ',"request_id":', q(e.requestId), ',"request_data":', e.requestData ?? 'null', ',"response_status":', q(e.responseStatus), ',"error_message":', q(e.errorMessage), ',"duration_ms":', q(e.durationMs), '}'].join(''),

  join: (id, e) => ['{"event_id":"', id, '","timestamp":"', e.timestamp.toISOString(), '","user_id":', q(e.userId), ',"username":', q(e.username), ',"user_roles":', q(e.userRoles), ',"action_type":', q(e.actionType), ',"resource":', q(e.resource), ',"outcome":', q(e.outcome), ',"ip_address":', q(e.ipAddress), ',"user_agent":', q(e.userAgent), ',"request_id":', q(e.requestId), ',"request_data":', e.requestData ?? 'null', ',"response_status":', q(e.responseStatus), ',"error_message":', q(e.errorMessage), ',"duration_ms":', q(e.durationMs), '}'].join(''),
  tpl,
  tplFlat: (id, e) => { const s = tpl(id, e); s.charCodeAt(0); return s; },
  tplNum: (id, e) => { const s = tpl(id, e); Number(s); return s; },
  stringifyObj: (id, e) => q({ event_id: id, timestamp: e.timestamp, user_id: e.userId, username: e.username, user_roles: e.userRoles, action_type: e.actionType, resource: e.resource, outcome: e.outcome, ip_address: e.ipAddress, user_agent: e.userAgent, request_id: e.requestId, request_data: e.requestData, response_status: e.responseStatus, error_message: e.errorMessage, duration_ms: e.durationMs }),
};
const events = Array.from({ length: 1000 }, (_, i) => ev(i));
const ids = events.map(() => randomUUID());
const name = process.argv[2]; const f = variants[name];
const keep = [];
const { PerformanceObserver } = await import('node:perf_hooks');
let gc = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) gc += e.duration; }).observe({ entryTypes: ['gc'] });
for (let w = 0; w < 3; w++) { const t0 = process.cpuUsage(); const t = performance.now(); for (let i = 0; i < 200000; i++) { keep.push(f(ids[i % 1000], events[i % 1000])); if (keep.length > 5000) keep.splice(0, 2500); } const cu = process.cpuUsage(t0); const el = (cu.user + cu.system) / 1000; if (w === 2) console.log(name, (el * 1000 / 200000).toFixed(2), 'µs/row incl gc; gc ms', gc.toFixed(0)); gc = 0; }
