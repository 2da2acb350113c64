import type { ToolSpec } from '../../core/provider.js';

/** What the format writers share across the records of one export. */
export interface ExportContext {
  /** Schemas of tools by name; tools without one are exported by name only. */
  toolSpecs: ReadonlyMap<string, ToolSpec>;
  /** Integer ids given to task ids in order of appearance (verifiers' `example_id`). */
  exampleIds: Map<string, number>;
}

export function exportContext(toolSpecs: Iterable<ToolSpec> = []): ExportContext {
  return {
    toolSpecs: new Map([...toolSpecs].map((spec) => [spec.name, spec])),
    exampleIds: new Map(),
  };
}

/** OpenAI function-tool objects (`{type: "function", function: {...}}`), or names where unknown. */
export function toolDefinitions(names: readonly string[], ctx: ExportContext): unknown[] {
  return names.map((name) => {
    const spec = ctx.toolSpecs.get(name);
    if (spec === undefined) return name;
    return {
      type: 'function',
      function: { name: spec.name, description: spec.description, parameters: spec.parameters },
    };
  });
}
