import type { EpisodeResourcePool } from '../../src/agent/resources.js';
import { DEFAULT_LIMITS } from '../../src/core/limits.js';
import type { AnyToolDefinition } from '../../src/core/tool.js';

/**
 * Runs one tool call outside an episode, under the default limits, and returns the text the
 * model would read. A python session lives in `resources` and is reused from call to call
 * until the caller disposes of them.
 */
export async function runTool(
  tool: AnyToolDefinition,
  args: unknown,
  resources: EpisodeResourcePool,
  episodeId = 'tiny-model',
): Promise<string> {
  const ctx = {
    signal: new AbortController().signal,
    limits: DEFAULT_LIMITS,
    resources,
    episodeId,
    step: 0,
  };
  return (await tool.run(args, ctx)).content;
}
