import { type TouchedFiles, touchedFiles } from './file-match.js';
import { parseUrlFacts, type UrlFacts } from './url-facts.js';

/** What a rule may ask about the use of tools so far in an episode. */
export interface UsageView {
  calls: number;
  sandbox_seconds: number;
  fetched_bytes: number;
  distinct_hosts: number;
}

/** The state of the episode a call is decided in. */
export interface DecisionContext {
  step: number;
  tainted: boolean;
  interactive: boolean;
  /** Normalized URLs that appeared in the user's prompt or in untrusted tool output. */
  seenUrls: ReadonlySet<string>;
  toolUsage: UsageView;
  episodeUsage: UsageView;
}

/**
 * Everything conditions test about one call. Derived facts (the parsed URL, the requested
 * timeout) are computed on first use, so rules that never look at them cost nothing.
 */
export class CallFacts {
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: DecisionContext;
  #url: UrlFacts | null | undefined;
  #files: TouchedFiles | undefined | null = null;

  constructor(tool: string, args: Readonly<Record<string, unknown>>, context: DecisionContext) {
    this.tool = tool;
    this.args = args;
    this.context = context;
  }

  /** The parsed `url` argument, or null when the call has none or it is not a URL. */
  get url(): UrlFacts | null {
    if (this.#url === undefined) this.#url = parseUrlFacts(this.arg('url'));
    return this.#url;
  }

  /** Workspace paths the call touches (see file-match.ts); undefined when it names none. */
  get files(): TouchedFiles | undefined {
    if (this.#files === null) this.#files = touchedFiles(this.tool, (name) => this.arg(name));
    return this.#files;
  }

  /** An argument the call really has (own property), never one inherited from a prototype. */
  arg(name: string): unknown {
    return Object.hasOwn(this.args, name) ? this.args[name] : undefined;
  }

  /** The timeout the call asks for, in seconds, from `timeout_s`, `timeout` or `timeout_ms`. */
  get requestedTimeoutSeconds(): number | undefined {
    const seconds = this.arg('timeout_s') ?? this.arg('timeout');
    if (typeof seconds === 'number') return seconds;
    const ms = this.arg('timeout_ms');
    return typeof ms === 'number' ? ms / 1000 : undefined;
  }

  /** The language of a code call: the `language` argument, else the tool's own language. */
  get language(): string | undefined {
    const named = this.arg('language');
    if (typeof named === 'string') return named.toLowerCase();
    if (this.tool === 'python' || this.tool === 'javascript') return this.tool;
    return undefined;
  }
}
