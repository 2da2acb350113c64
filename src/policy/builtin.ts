import type { ToolUsage } from '../agent/tool.js';
import { DEFAULT_LIMITS } from './limits.js';
import type { Policy, PolicyCall, PolicyDecision, PolicySession } from './types.js';

/**
 * The policy used when no file is given until policy files exist: every advertised tool is
 * allowed with the default limits, and anything else is denied.
 */
export function allowListedPolicy(tools: readonly string[]): Policy {
  const allowed = new Set(tools);
  return {
    file: 'builtin:allow-listed',
    sha256: null,
    startEpisode(): PolicySession {
      let tainted = false;
      return {
        get tainted() {
          return tainted;
        },
        async decide(call: PolicyCall): Promise<PolicyDecision> {
          if (allowed.has(call.tool)) {
            return {
              decision: 'allow',
              effect: 'allow',
              rule: 'builtin:allow-listed',
              reason: `${call.tool} is one of the enabled tools`,
              clamps: { ...DEFAULT_LIMITS },
            };
          }
          return {
            decision: 'deny',
            effect: 'deny',
            rule: 'default',
            reason: `${call.tool} is not enabled`,
            clamps: null,
          };
        },
        record(_call: PolicyCall, _usage: ToolUsage, taints: boolean): void {
          if (taints) tainted = true;
        },
      };
    },
  };
}
