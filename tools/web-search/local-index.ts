import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import MiniSearch, { type AsPlainObject, type Options } from 'minisearch';
import { isPlainObject, safeJsonParse } from '../../src/core/json.js';
import { type CorpusFile, corpusUrl } from './corpus.js';
import { extractDocumentText } from './document-text.js';

/** A document as the index keeps it: its text stays beside the index for snippets. */
export interface IndexedDocument {
  id: string;
  title: string;
  url: string;
  text: string;
}

export interface LocalIndex {
  /** Hash of the file list with mtimes and sizes; a different hash means a rebuild. */
  manifest: string;
  search: MiniSearch<IndexedDocument>;
  docs: Map<string, IndexedDocument>;
}

const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were what when where which who whom why with'.split(
    ' ',
  ),
);

function processTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : stem(lower);
}

/**
 * A light English suffix stripper applied to documents and queries alike, so "founded",
 * "founding" and "found" meet, and "bells" finds "bell". It costs nothing at query time,
 * unlike prefix or fuzzy matching, which made queries several times slower on large corpora.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(word)) return word;
  if (/(sses|xes|ches|shes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s')) return word.slice(0, -1);
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  return word;
}

/** BM25+ with Lucene's usual k1 and b; titles weigh double. */
export const INDEX_OPTIONS: Options<IndexedDocument> = {
  idField: 'id',
  fields: ['title', 'text'],
  storeFields: [],
  processTerm,
  searchOptions: {
    bm25: { k: 1.2, b: 0.75, d: 0.5 },
    boost: { title: 2 },
    combineWith: 'OR',
  },
};

/** Changes whenever the index options or the cache layout change, so old caches are rebuilt. */
const CACHE_FORMAT = 'assay-local-index/2;bm25=1.2,0.75,0.5;stop=1;stem=1';

export function manifestOf(files: readonly CorpusFile[]): string {
  const entries = files.map((f) => [f.relPath, f.mtimeMs, f.size]);
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}

/** One cache file per corpus folder. */
export function cacheFileFor(cacheDir: string, corpusDir: string): string {
  const key = createHash('sha256').update(corpusDir).digest('hex').slice(0, 16);
  return join(cacheDir, `local-index-${key}.json`);
}

export async function buildIndex(
  files: readonly CorpusFile[],
  manifest: string,
): Promise<LocalIndex> {
  const search = new MiniSearch<IndexedDocument>(INDEX_OPTIONS);
  const docs = new Map<string, IndexedDocument>();
  const batch = 64;
  for (let i = 0; i < files.length; i += batch) {
    const slice = files.slice(i, i + batch);
    const raws = await Promise.all(slice.map((f) => readFile(f.absPath, 'utf8')));
    slice.forEach((file, j) => {
      const { title, text } = extractDocumentText(file.relPath, raws[j] ?? '');
      const doc = { id: file.relPath, title, url: corpusUrl(file.relPath), text };
      docs.set(doc.id, doc);
      search.add(doc);
    });
  }
  return { manifest, search, docs };
}

interface CacheFile {
  format: string;
  manifest: string;
  docs: [string, string, string][];
  index: AsPlainObject;
}

/** The cached index when its manifest matches; anything unreadable counts as no cache. */
export async function loadCachedIndex(
  file: string,
  manifest: string,
): Promise<LocalIndex | undefined> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = safeJsonParse(raw);
  if (!parsed.ok || !isPlainObject(parsed.value)) return undefined;
  const cache = parsed.value as Partial<CacheFile>;
  if (cache.format !== CACHE_FORMAT || cache.manifest !== manifest) return undefined;
  if (!Array.isArray(cache.docs) || !isPlainObject(cache.index)) return undefined;
  try {
    const search = MiniSearch.loadJS<IndexedDocument>(cache.index, INDEX_OPTIONS);
    const docs = new Map<string, IndexedDocument>();
    for (const [id, title, text] of cache.docs) {
      docs.set(id, { id, title, url: corpusUrl(id), text });
    }
    return { manifest, search, docs };
  } catch {
    return undefined;
  }
}

/** Writes the cache atomically (temp file, then rename) so readers never see half a file. */
export async function saveCachedIndex(file: string, index: LocalIndex): Promise<void> {
  const cache: CacheFile = {
    format: CACHE_FORMAT,
    manifest: index.manifest,
    docs: [...index.docs.values()].map((d) => [d.id, d.title, d.text]),
    index: index.search.toJSON(),
  };
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, JSON.stringify(cache));
  await rename(temp, file);
}
