/** The web_search back ends: one list, read by the tool and by the CLI's `--search` choices. */
export const WEB_SEARCH_BACKENDS = ['local', 'searxng', 'brave', 'tavily'] as const;
export type WebSearchBackendName = (typeof WEB_SEARCH_BACKENDS)[number];
