import type { CompiledPolicy } from './compile.js';
import { PolicyEpisode, type PolicyEpisodeOptions } from './session.js';
import type { EpisodeContext, Policy } from './types.js';

/** A policy loaded from a file: its path and hash for the trace, and its compiled rules. */
export class FilePolicy implements Policy {
  readonly file: string;
  readonly sha256: string;
  readonly compiled: CompiledPolicy;

  constructor(file: string, sha256: string, compiled: CompiledPolicy) {
    this.file = file;
    this.sha256 = sha256;
    this.compiled = compiled;
  }

  startEpisode(context: EpisodeContext, options?: PolicyEpisodeOptions): PolicyEpisode {
    return new PolicyEpisode(this.compiled, context, options);
  }
}
