/**
 * The local search back end on a generated 10,000-document corpus: index build time (fresh and
 * from the disk cache) and queries per second, beside a linear scan that counts query terms in
 * every document held in memory, in the same process. Prints both and the ratios.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listCorpusFiles } from '../tools/web-search/corpus.js';
import { createSearchBackend, type LocalSearchBackend } from '../tools/web-search/index.js';
import { reportFigures } from './figures.js';

const DOCS = Number(process.env['BENCH_DOCS'] ?? 10_000);
const QUERIES = Number(process.env['BENCH_QUERIES'] ?? 300);
const ROUNDS = 5;

/** A deterministic generator so every run indexes the same corpus. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(42);
const SYLLABLES = [
  'var',
  'hol',
  'mar',
  'sk',
  'tor',
  'vik',
  'ul',
  've',
  'en',
  'dal',
  'ke',
  'ss',
  'ost',
  'by',
  'gra',
  'berg',
  'pel',
  'lan',
  'sel',
  'wick',
  'dur',
  'hav',
  'n',
  'aa',
  'lst',
  'bren',
  'ne',
  'ti',
  'de',
  'bell',
];
const vocabulary = Array.from({ length: 6000 }, () => {
  const parts = 2 + Math.floor(random() * 3);
  return Array.from(
    { length: parts },
    () => SYLLABLES[Math.floor(random() * SYLLABLES.length)],
  ).join('');
});

/** Zipf-like word choice: a few words are everywhere, most are rare, as in real text. */
function word(): string {
  const index = Math.floor(vocabulary.length * random() ** 3);
  return vocabulary[index]!;
}

function sentence(): string {
  const length = 8 + Math.floor(random() * 12);
  const words = Array.from({ length }, word);
  return `${words.join(' ')}.`;
}

async function generate(dir: string): Promise<void> {
  for (let i = 0; i < DOCS; i++) {
    const folder = join(dir, `part-${Math.floor(i / 500)}`);
    if (i % 500 === 0) await mkdir(folder, { recursive: true });
    const title = `${word()} ${word()} ${i}`;
    const body = Array.from({ length: 10 + Math.floor(random() * 10) }, sentence).join(' ');
    if (i % 10 === 0) {
      await writeFile(
        join(folder, `doc-${i}.html`),
        `<html><head><title>${title}</title></head><body><p>${body}</p></body></html>`,
      );
    } else if (i % 10 === 1) {
      await writeFile(join(folder, `doc-${i}.txt`), `${title}\n\n${body}\n`);
    } else {
      await writeFile(join(folder, `doc-${i}.md`), `# ${title}\n\n${body}\n`);
    }
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The baseline: every document's text in memory, scored by counting query-term occurrences. */
function linearScan(
  docs: readonly { id: string; text: string }[],
  query: string,
  k: number,
): string[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  const scored: { id: string; score: number }[] = [];
  for (const doc of docs) {
    let score = 0;
    for (const term of terms) {
      let from = doc.text.indexOf(term);
      while (from >= 0) {
        score++;
        from = doc.text.indexOf(term, from + term.length);
      }
    }
    if (score > 0) scored.push({ id: doc.id, score });
  }
  return scored
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((s) => s.id);
}

const root = await mkdtemp(join(tmpdir(), 'assay-bench-search-'));
try {
  const corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
  const generated = performance.now();
  await generate(corpusDir);
  console.log(`generated ${DOCS} documents in ${(performance.now() - generated).toFixed(0)} ms`);

  const options = {
    backend: 'local' as const,
    corpusDir,
    cacheDir: join(root, 'cache'),
    refreshIntervalMs: 60_000,
  };
  const fresh = createSearchBackend(options) as LocalSearchBackend;
  await fresh.index();
  const built = fresh.lastLoad!;
  const reloaded = createSearchBackend(options) as LocalSearchBackend;
  await reloaded.index();
  const cached = reloaded.lastLoad!;

  const readStarted = performance.now();
  const files = await listCorpusFiles(corpusDir);
  const docs = await Promise.all(
    files.map(async (f) => ({
      id: f.relPath,
      text: (await readFile(f.absPath, 'utf8')).toLowerCase(),
    })),
  );
  const readMs = performance.now() - readStarted;

  // Content-word queries (words drawn uniformly, mostly rare) are what a model searches for;
  // the Zipf mix adds the corpus's most common words, which match nearly every document.
  const contentQueries = Array.from({ length: QUERIES }, () =>
    Array.from(
      { length: 2 + Math.floor(random() * 2) },
      () => vocabulary[Math.floor(random() * vocabulary.length)]!,
    ).join(' '),
  );
  const zipfQueries = Array.from({ length: QUERIES }, () =>
    Array.from({ length: 2 + Math.floor(random() * 2) }, word).join(' '),
  );
  const signal = new AbortController().signal;
  for (const q of contentQueries.slice(0, 20)) {
    await fresh.search(q, 5, signal);
    linearScan(docs, q, 5);
  }

  const measure = async (queries: string[]) => {
    const indexQps: number[] = [];
    const scanQps: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let started = performance.now();
      for (const q of queries) await fresh.search(q, 5, signal);
      indexQps.push(queries.length / ((performance.now() - started) / 1000));
      started = performance.now();
      for (const q of queries) linearScan(docs, q, 5);
      scanQps.push(queries.length / ((performance.now() - started) / 1000));
    }
    return { index: median(indexQps), scan: median(scanQps) };
  };
  const content = await measure(contentQueries);
  const zipf = await measure(zipfQueries);

  // The rebuild check a query pays once per refresh interval: listing and stat-ing every file.
  const checkStarted = performance.now();
  await listCorpusFiles(corpusDir);
  const checkMs = performance.now() - checkStarted;

  console.log(
    `index build (fresh):       ${built.ms.toFixed(0)} ms for ${built.documents} documents (source: ${built.source})`,
  );
  console.log(`index load (disk cache):   ${cached.ms.toFixed(0)} ms (source: ${cached.source})`);
  console.log(`baseline load (read+lower): ${readMs.toFixed(0)} ms`);
  console.log(
    `build / baseline load:     ${(built.ms / readMs).toFixed(2)}x; cache load / baseline load: ${(cached.ms / readMs).toFixed(2)}x`,
  );
  for (const [name, r] of [
    ['content-word queries', content],
    ['zipf-mix queries', zipf],
  ] as const) {
    console.log(
      `${name}: BM25 ${r.index.toFixed(0)} q/s, linear scan ${r.scan.toFixed(0)} q/s, ratio ${(r.index / r.scan).toFixed(1)}x (median of ${ROUNDS} rounds of ${QUERIES})`,
    );
    reportFigures('search', [
      {
        name: `local search, ${name}`,
        value: r.index,
        unit: 'q/s',
        baseline: r.scan,
        baselineName: 'linear scan',
      },
    ]);
  }
  reportFigures('search', [
    {
      name: `index build, ${DOCS} documents`,
      value: built.ms,
      unit: 'ms',
      baseline: readMs,
      baselineName: 'read + lower-case',
    },
  ]);
  console.log(
    `corpus change check:       ${checkMs.toFixed(0)} ms per check (at most once per refresh interval, default 2 s)`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
