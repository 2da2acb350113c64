import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter } from 'yaml';

/** A 1-based line and column in a policy file. */
export interface SourcePosition {
  line: number;
  col: number;
}

/**
 * Finds where a value sits in the parsed file, so errors found on the plain data (zod issues,
 * semantic checks) can name a line. When the path runs past what the file has (a missing
 * key), the position of the deepest part that exists is returned.
 */
export function positionOf(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
): SourcePosition | null {
  let node: unknown = doc.contents;
  let position = offsetPosition(node, counter);
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      position =
        offsetPosition(pair.value, counter) ?? offsetPosition(pair.key, counter) ?? position;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      position = offsetPosition(item, counter) ?? position;
      node = item;
    } else {
      break;
    }
  }
  return position;
}

/** The position of a key inside the map at `path`, for errors about the key itself. */
export function keyPositionOf(
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
  key: string,
): SourcePosition | null {
  let node: unknown = doc.getIn(path as unknown[], true);
  if (isAlias(node)) node = node.resolve(doc);
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    const found = pair ? offsetPosition(pair.key, counter) : null;
    if (found) return found;
  }
  return positionOf(doc, counter, path);
}

function offsetPosition(node: unknown, counter: LineCounter): SourcePosition | null {
  if (node === null || typeof node !== 'object' || !('range' in node)) return null;
  const range = (node as { range?: [number, number, number] | null }).range;
  if (!range) return null;
  const { line, col } = counter.linePos(range[0]);
  return { line, col };
}
