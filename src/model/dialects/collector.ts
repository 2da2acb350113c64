import { isPlainObject, safeJsonParse } from '../../core/json.js';
import type { DialectContext, DialectResult, FoundCall, RejectedCall, Span } from './types.js';

/** Gathers what a dialect finds, checking each name against the offered tools. */
export class CallCollector {
  readonly calls: FoundCall[] = [];
  readonly rejected: RejectedCall[] = [];
  readonly spans: Span[] = [];

  constructor(private readonly context: DialectContext) {}

  /**
   * Records a call when its name is an offered tool and its arguments are a JSON object;
   * returns whether it was accepted. Anything else is rejected with the reason.
   */
  offer(name: string, args: string): boolean {
    const resolved = this.context.resolve(name);
    if (resolved === null) {
      this.unknownTool(name);
      return false;
    }
    const parsed = safeJsonParse(args);
    if (!parsed.ok || !isPlainObject(parsed.value)) {
      this.reject(resolved, 'the tool call arguments are not a JSON object');
      return false;
    }
    this.calls.push({ name: resolved, arguments: args });
    return true;
  }

  unknownTool(name: string): void {
    this.reject(name, `"${name}" is not one of the offered tools`);
  }

  reject(name: string | null, reason: string): void {
    this.rejected.push({ name, reason });
  }

  cut(start: number, end: number): void {
    this.spans.push({ start, end });
  }

  result(): DialectResult {
    return { calls: this.calls, rejected: this.rejected, spans: this.spans };
  }
}
