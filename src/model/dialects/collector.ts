import type { DialectContext, DialectResult, FoundCall, RejectedCall, Span } from './types.js';

/** Gathers what a dialect finds, checking each name against the offered tools. */
export class CallCollector {
  readonly calls: FoundCall[] = [];
  readonly rejected: RejectedCall[] = [];
  readonly spans: Span[] = [];

  constructor(private readonly context: DialectContext) {}

  /** Records a call when its name is an offered tool; returns whether it was accepted. */
  offer(name: string, args: string): boolean {
    const resolved = this.context.resolve(name);
    if (resolved === null) {
      this.unknownTool(name);
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
