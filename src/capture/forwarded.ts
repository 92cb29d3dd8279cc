// token "=" ( token / quoted-string ), RFC 7239 section 4, ending at a separator;
// whitespace is tolerated around "=".
const PAIR = /([^\s=;,"]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;,"]*))(?![^\s;,])/y;

/**
 * The `for=` node of each element of an RFC 7239 `Forwarded` header, in
 * header order (client first). An element without `for=`, or one too
 * malformed to read, yields `unknown`, the RFC's own word for an unknown
 * node, so it still counts as a hop and is never mistaken for an address.
 */
export function forwardedFor(header: string): string[] {
  const nodes: string[] = [];
  let node: string | undefined;
  let empty = true;
  let pos = 0;
  while (pos < header.length) {
    const char = header[pos];
    if (char === ',') {
      // Empty list elements ("a, , b") are allowed by the list syntax and mean nothing.
      if (!empty) nodes.push(node ?? 'unknown');
      node = undefined;
      empty = true;
      pos++;
      continue;
    }
    if (char === ';' || char === ' ' || char === '\t') {
      pos++;
      continue;
    }
    empty = false;
    PAIR.lastIndex = pos;
    const pair = PAIR.exec(header);
    if (pair === null) {
      pos = skipPastValue(header, pos);
      continue;
    }
    const [, name = '', quoted, token] = pair;
    if (node === undefined && name.toLowerCase() === 'for') {
      node = quoted === undefined ? token : quoted.replace(/\\(.)/g, '$1');
    }
    pos = PAIR.lastIndex;
  }
  if (!empty) nodes.push(node ?? 'unknown');
  return nodes;
}

/** Index of the next `;` or `,` outside a quoted string, so garbage costs one pair, not the header. */
function skipPastValue(header: string, pos: number): number {
  let quoted = false;
  for (let i = pos; i < header.length; i++) {
    const char = header[i];
    if (quoted && char === '\\') i++;
    else if (char === '"') quoted = !quoted;
    else if (!quoted && (char === ';' || char === ',')) return i;
  }
  return header.length;
}
