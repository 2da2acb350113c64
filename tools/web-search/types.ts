/** One search hit, the same shape whatever back end produced it. */
export interface SearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** A search back end: the local index or a web service. */
export interface SearchBackend {
  /** The name used in error messages: `local`, `searxng`, `brave`, `tavily`. */
  readonly name: string;
  search(query: string, maxResults: number, signal: AbortSignal): Promise<SearchResult[]>;
}
