import { throwIfAborted } from '../../src/core/abort.js';
import { errorMessage, InfraError } from '../../src/core/errors.js';
import { listCorpusFiles } from './corpus.js';
import {
  buildIndex,
  type LocalIndex,
  loadCachedIndex,
  manifestOf,
  saveCachedIndex,
} from './local-index.js';
import { makeSnippet } from './snippet.js';
import type { SearchBackend, SearchResult } from './types.js';

export interface LocalBackendOptions {
  corpusDir: string;
  /** Where the index is cached; undefined keeps it in memory only. */
  cacheFile: string | undefined;
  /** How long a checked index is trusted before the files are listed again. */
  refreshIntervalMs: number;
}

/** How the current index was obtained, for benchmarks and tests. */
export interface IndexLoadInfo {
  source: 'built' | 'cache' | 'memory';
  documents: number;
  ms: number;
}

/**
 * The offline back end: BM25 over the corpus folder. The index is checked against the file
 * list (paths, mtimes, sizes) at most once per refresh interval and rebuilt when it changed.
 */
export class LocalSearchBackend implements SearchBackend {
  readonly name = 'local';
  readonly #options: LocalBackendOptions;
  #current: LocalIndex | undefined;
  #pending: Promise<LocalIndex> | undefined;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #lastLoad: IndexLoadInfo | undefined;

  constructor(options: LocalBackendOptions) {
    this.#options = options;
  }

  get lastLoad(): IndexLoadInfo | undefined {
    return this.#lastLoad;
  }

  async search(query: string, maxResults: number, signal: AbortSignal): Promise<SearchResult[]> {
    const index = await this.index();
    throwIfAborted(signal);
    const hits = index.search.search(query).slice(0, maxResults);
    return hits.map((hit) => {
      const doc = index.docs.get(String(hit.id));
      return {
        title: doc?.title ?? String(hit.id),
        url: doc?.url ?? '',
        snippet: doc ? makeSnippet(doc.text, hit.terms) : '',
      };
    });
  }

  /**
   * The current index. The first call waits for it; later calls past the refresh interval
   * start a check of the files and keep answering from the current index until the check has
   * finished (a large corpus takes a while to list). An interval of 0 always waits.
   */
  index(): Promise<LocalIndex> {
    const { refreshIntervalMs } = this.#options;
    const current = this.#current;
    if (current && performance.now() - this.#checkedAt < refreshIntervalMs) {
      return Promise.resolve(current);
    }
    if (this.#pending) {
      return current && refreshIntervalMs > 0 ? Promise.resolve(current) : this.#pending;
    }
    this.#checkedAt = performance.now();
    const pending = this.#refresh(current).then(
      (index) => {
        this.#current = index;
        return index;
      },
      (error: unknown) => {
        this.#checkedAt = Number.NEGATIVE_INFINITY;
        throw error;
      },
    );
    this.#pending = pending;
    void pending.then(
      () => this.#clearPending(pending),
      () => this.#clearPending(pending),
    );
    if (current && refreshIntervalMs > 0) return Promise.resolve(current);
    return pending;
  }

  #clearPending(pending: Promise<LocalIndex>): void {
    if (this.#pending === pending) this.#pending = undefined;
  }

  async #refresh(current: LocalIndex | undefined): Promise<LocalIndex> {
    const started = performance.now();
    const { corpusDir, cacheFile } = this.#options;
    try {
      const files = await listCorpusFiles(corpusDir);
      const manifest = manifestOf(files);
      if (current?.manifest === manifest) {
        this.#record('memory', current, started);
        return current;
      }
      const cached = cacheFile ? await loadCachedIndex(cacheFile, manifest) : undefined;
      if (cached) {
        this.#record('cache', cached, started);
        return cached;
      }
      const built = await buildIndex(files, manifest);
      // A cache that cannot be written (read-only home) only costs the next run a rebuild.
      if (cacheFile) await saveCachedIndex(cacheFile, built).catch(() => undefined);
      this.#record('built', built, started);
      return built;
    } catch (error) {
      throw new InfraError(
        'SEARCH_BACKEND_ERROR',
        `local search back end cannot index the corpus folder ${corpusDir}: ${errorMessage(error)}`,
        { details: { backend: 'local', corpus: corpusDir }, cause: error },
      );
    }
  }

  #record(source: IndexLoadInfo['source'], index: LocalIndex, started: number): void {
    this.#lastLoad = { source, documents: index.docs.size, ms: performance.now() - started };
  }
}
