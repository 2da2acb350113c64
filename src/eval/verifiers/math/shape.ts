/**
 * The structure of an answer: a single value, an ordered tuple or interval, an unordered
 * collection (a set, a bare list, the two values of `a \pm b`), a union of intervals, or a
 * matrix. Comparisons walk two shapes element by element.
 */
export type Shape =
  | { kind: 'scalar'; text: string }
  | { kind: 'tuple'; open: string; close: string; items: Shape[] }
  | { kind: 'collection'; items: Shape[] }
  | { kind: 'union'; parts: Shape[] }
  | { kind: 'matrix'; rows: Shape[][] };

const MATRIX = /^\\begin\{([pbvBV]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$/s;

export function parseShape(text: string): Shape {
  const s = text.trim();
  const matrix = MATRIX.exec(s);
  if (matrix !== null) {
    const rows = (matrix[2] ?? '')
      .split(/\\\\/)
      .map((row) => row.trim())
      .filter((row) => row !== '')
      .map((row) => row.split('&').map((cell) => parseShape(cell)));
    return { kind: 'matrix', rows };
  }
  const unionParts = splitTopLevel(s, '\\cup');
  if (unionParts.length > 1) return { kind: 'union', parts: unionParts.map(parseShape) };
  if (s.startsWith('\\{') && s.endsWith('\\}') && closesAtEnd(s, 0)) {
    const inner = s.slice(2, -2);
    return { kind: 'collection', items: flatten(splitTopLevel(inner, ',').map(parseShape)) };
  }
  if (/^[([]/.test(s) && /[)\]]$/.test(s) && closesAtEnd(s, 0)) {
    const items = splitTopLevel(s.slice(1, -1), ',');
    if (items.length > 1)
      return { kind: 'tuple', open: s[0]!, close: s.at(-1)!, items: items.map(parseShape) };
  }
  const listItems = splitTopLevel(s, ',');
  if (listItems.length > 1)
    return { kind: 'collection', items: flatten(listItems.map(parseShape)) };
  const pm = /\\(?:pm|mp)/.exec(s);
  if (
    pm !== null &&
    s.indexOf('\\pm', pm.index + 1) === -1 &&
    s.indexOf('\\mp', pm.index + 1) === -1
  ) {
    const before = s.slice(0, pm.index);
    const after = s.slice(pm.index + pm[0].length);
    return {
      kind: 'collection',
      items: [parseShape(`${before}+${after}`), parseShape(`${before}-${after}`)],
    };
  }
  return { kind: 'scalar', text: s };
}

/** `\{1 \pm \sqrt{5}, -2\}` has three members: a `\pm` item's two values join the set. */
function flatten(items: Shape[]): Shape[] {
  return items.flatMap((item) => (item.kind === 'collection' ? item.items : [item]));
}

/**
 * Cuts `s` where `cutAt(i)` says, but only outside (), [], {} and `\{ \}`: `cutAt` returns
 * the length of the token to cut out at `i`, or 0. Returns the trimmed pieces between cuts.
 */
export function cutTopLevel(s: string, cutAt: (i: number) => number): string[] {
  const pieces: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') depth--;
    else if (depth === 0) {
      const length = cutAt(i);
      if (length === 0) continue;
      pieces.push(s.slice(start, i).trim());
      start = i + length;
      i = start - 1;
    }
  }
  pieces.push(s.slice(start).trim());
  return pieces;
}

/** Splits on `separator` outside (), [], {} and `\{ \}`. */
export function splitTopLevel(s: string, separator: string): string[] {
  // `\pm` must not cut `\pmod`: a command separator ends where letters end.
  const command = /^\\[a-zA-Z]+$/.test(separator);
  return cutTopLevel(s, (i) => {
    if (!s.startsWith(separator, i)) return 0;
    const next = s[i + separator.length];
    return command && next !== undefined && /[a-zA-Z]/.test(next) ? 0 : separator.length;
  });
}

/** True when the bracket opened at `open` is closed by the last character of `s`. */
function closesAtEnd(s: string, open: number): boolean {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
      if (depth === 0) return i === s.length - 1;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    else if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth === 0) return i === s.length - 1;
    }
  }
  return false;
}
