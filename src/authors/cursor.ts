/**
 * Keyset cursors: "the page after the author with this id". Opaque to clients (base64url JSON), so
 * the ordering can grow more keys without breaking the API.
 */
export function encodeCursor(afterId: number): string {
  return Buffer.from(JSON.stringify({ after: afterId })).toString('base64url');
}

/** The id a cursor points after, or undefined for anything this API did not issue. */
export function decodeCursor(cursor: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    const { after } = decoded;
    return Number.isSafeInteger(after) && (after as number) >= 0 ? (after as number) : undefined;
  } catch {
    return undefined;
  }
}
