// What both example twins print once listening: the requests to try, one per route they share.
export function tryIt(framework: string, port: number): string {
  const at = `localhost:${port}`;
  return `${framework} example on http://${at}, auditing every request. Try:
  curl -H 'x-user: acika' ${at}/hello
  curl -H 'content-type: application/json' -d '{"user":"acika","password":"s3cret"}' ${at}/login
  curl -H 'x-user: admin' -H 'content-type: application/json' -d '{"name":"Ursula K. Le Guin"}' ${at}/authors
  curl -H 'x-user: acika' '${at}/authors?search=le&per_page=5'
  curl ${at}/admin ; curl ${at}/boom
  curl -H 'x-user: admin' -X PUT -H 'content-type: application/json' -d '{"name":"Ursula Le Guin"}' ${at}/authors/1
  curl ${at}/recent
  curl ${at}/recent-changes
  curl ${at}/metrics
  curl -H 'x-user: admin' '${at}/audit-log?outcome=error,permission_denied&from=1h'
  curl -H 'x-user: admin' '${at}/audit-log/reports/timeline?bucket=minute'
  curl -H 'x-user: acika' ${at}/audit-log   # 403, and recorded as permission_denied
  curl -H 'x-user: admin' '${at}/audit-log/export?format=csv&from=24h'
  node -e "const ws = new (require('ws'))('ws://${at}/ws', { headers: { 'x-user': 'acika' } }); ws.on('open', () => ws.send(JSON.stringify({ pkg_id: 1, req_id: 'r-1', data: {} }))); ws.on('message', (m) => (console.log(String(m)), ws.close()))"
Open http://${at}/as/admin in a browser for the audit-log viewer.`;
}
