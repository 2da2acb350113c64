import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toolSpec, toolSpecs } from '../../src/agent/tool-specs.js';
import { AssayError } from '../../src/core/errors.js';
import { type AnyToolDefinition, defineTool } from '../../src/core/tool.js';
import { createCalculatorTool } from '../../tools/calculator/index.js';

function tool(name: string, inputSchema: z.ZodType): AnyToolDefinition {
  return defineTool({
    name,
    description: `the ${name} tool`,
    inputSchema,
    run: async () => ({ ok: true, content: '' }),
  });
}

describe('toolSpec', () => {
  it('describes the calculator with a draft-07 object schema servers accept', () => {
    const calculator = createCalculatorTool();
    const spec = toolSpec(calculator);
    expect(spec.name).toBe('calculator');
    expect(spec.description).toBe(calculator.description);
    expect(spec.parameters).toEqual({
      type: 'object',
      properties: {
        expression: {
          type: 'string',
          minLength: 1,
          description: expect.stringContaining('expression to evaluate'),
        },
      },
      required: ['expression'],
      additionalProperties: false,
    });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('computes the spec once per tool', () => {
    const calculator = createCalculatorTool();
    expect(toolSpec(calculator)).toBe(toolSpec(calculator));
  });

  it('leaves out $schema and the safe-integer bounds zod adds to integers', () => {
    const spec = toolSpec(
      tool(
        'sleep',
        z.strictObject({ seconds: z.number().int(), retries: z.number().int().min(0).max(5) }),
      ),
    );
    expect(spec.parameters).not.toHaveProperty('$schema');
    expect(spec.parameters['properties']).toEqual({
      seconds: { type: 'integer' },
      retries: { type: 'integer', minimum: 0, maximum: 5 },
    });
  });

  it('makes fields with defaults optional, as the model may omit them', () => {
    const spec = toolSpec(
      tool('fetch', z.strictObject({ url: z.string(), timeout_s: z.number().default(10) })),
    );
    expect(spec.parameters['required']).toEqual(['url']);
    expect(spec.parameters['properties']).toMatchObject({
      timeout_s: { type: 'number', default: 10 },
    });
  });

  it('closes a plain object schema and gives an empty one its properties', () => {
    expect(toolSpec(tool('plain', z.object({ a: z.string() }))).parameters).toMatchObject({
      additionalProperties: false,
    });
    expect(toolSpec(tool('empty', z.strictObject({}))).parameters).toEqual({
      type: 'object',
      properties: {},
      additionalProperties: false,
    });
  });

  it('refuses a tool whose input is not an object', () => {
    expect(() => toolSpec(tool('bare', z.string()))).toThrow(AssayError);
  });
});

describe('toolSpecs', () => {
  it('lists the specs in the order of the tools', () => {
    const specs = toolSpecs([tool('b', z.strictObject({})), tool('a', z.strictObject({}))]);
    expect(specs.map((s) => s.name)).toEqual(['b', 'a']);
  });
});
