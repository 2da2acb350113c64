import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One `deb` source of the machine's apt configuration. */
export interface AptSource {
  uri: string;
  suites: string[];
  file: string;
}

/** Parses deb822 `.sources` text (stanzas of `Key: value` lines separated by blank lines). */
export function parseDeb822Sources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    let last: string | undefined;
    for (const line of stanza.split('\n')) {
      if (line.startsWith('#') || line.trim() === '') continue;
      if (/^\s/.test(line) && last) {
        fields.set(last, `${fields.get(last) ?? ''} ${line.trim()}`);
        continue;
      }
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      last = line.slice(0, colon).trim().toLowerCase();
      fields.set(last, line.slice(colon + 1).trim());
    }
    if (fields.get('enabled')?.toLowerCase() === 'no') continue;
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb')) continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
      sources.push({ uri, suites, file });
    }
  }
  return sources;
}

/** Parses one-line `sources.list` text: `deb [options] URI SUITE COMPONENT...`. */
export function parseOneLineSources(text: string, file: string): AptSource[] {
  const sources: AptSource[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) continue;
    const rest = line
      .slice(3)
      .trim()
      .replace(/^\[[^\]]*\]\s*/, '');
    const [uri, suite] = rest.split(/\s+/);
    if (uri && suite) sources.push({ uri, suites: [suite], file });
  }
  return sources;
}

/** Every `deb` source configured on the machine, `sources.list` first. */
export function readAptSources(root = '/etc/apt'): AptSource[] {
  const sources: AptSource[] = [];
  const list = join(root, 'sources.list');
  try {
    sources.push(...parseOneLineSources(readFileSync(list, 'utf8'), list));
  } catch {
    // A machine may have only deb822 files.
  }
  const dir = join(root, 'sources.list.d');
  let names: string[] = [];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return sources;
  }
  for (const name of names) {
    const file = join(dir, name);
    try {
      const text = readFileSync(file, 'utf8');
      if (name.endsWith('.sources')) sources.push(...parseDeb822Sources(text, file));
      else if (name.endsWith('.list')) sources.push(...parseOneLineSources(text, file));
    } catch {
      // An unreadable file is skipped; the caller reports when nothing usable is left.
    }
  }
  return sources;
}

/**
 * The mirror to bootstrap `suite` from: a source that lists the suite itself, else the first
 * main-archive source (not a security or updates pocket), since Debian mirrors carry every suite.
 */
export function pickMirror(sources: readonly AptSource[], suite: string): string | undefined {
  const usable = sources.filter((s) => /^https?:\/\//.test(s.uri));
  const exact = usable.find((s) => s.suites.includes(suite));
  if (exact) return exact.uri;
  const archive = usable.find((s) =>
    s.suites.some((x) => !/-(security|updates|backports)$/.test(x)),
  );
  return archive?.uri;
}
