/**
 * What the viewer's page and asset are served with. The page is a shell that loads one script from the
 * package; every value it shows is fetched as JSON and rendered as text, and this policy forbids inline
 * script and style, so a payload that slipped into the DOM still could not run.
 */
const SECURITY_HEADERS = {
  'content-security-policy': ["default-src 'self'", "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** The viewer's HTML: the script at `<mount>/viewer/app.js`, which finds the API beside itself. */
export function viewerPage(mountPath: string): { content: string; headers: Record<string, string> } {
  const content = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Audit log</title>
<link rel="icon" href="data:,">
<script type="module" src="${escapeAttribute(`${mountPath}${VIEWER_SCRIPT_PATH}`)}"></script>
</head>
<body><noscript>The audit-log viewer needs JavaScript.</noscript></body>
</html>
`;
  return { content, headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } };
}

export const VIEWER_SCRIPT_PATH = '/viewer/app.js';

export function viewerScriptHeaders(): Record<string, string> {
  // no-cache: revalidated on every load, so an upgraded package never runs a stale script.
  return { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' };
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
