import type { ToolNameResolver } from './types.js';

/**
 * Builds the resolver that decides which names count as offered tools. Besides exact names it
 * accepts the `functions.` prefix harmony uses and differences of case or `-` versus `_`, but
 * only when that loose form points at exactly one tool. A pattern instead of a list accepts any
 * name it matches.
 */
export function createToolNameResolver(toolNames: readonly string[] | RegExp): ToolNameResolver {
  if (toolNames instanceof RegExp) {
    // No list to check against: any name of the allowed shape counts, without its prefix.
    return (written) => {
      const name = written.trim().replace(/^functions\./, '');
      return toolNames.test(name) ? name : null;
    };
  }
  const exact = new Set(toolNames);
  const loose = new Map<string, string | null>();
  for (const name of toolNames) {
    const key = looseKey(name);
    const seen = loose.get(key);
    loose.set(key, seen === undefined || seen === name ? name : null);
  }
  return (written) => {
    const name = written.trim();
    if (exact.has(name)) return name;
    return loose.get(looseKey(name.replace(/^functions\./, ''))) ?? null;
  };
}

function looseKey(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}
