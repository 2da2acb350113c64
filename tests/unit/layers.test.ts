import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkFile,
  checkLayers,
  formatViolation,
  importsOf,
  LAYERS,
  layerOf,
} from '../support/layers.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the layers of the source tree', () => {
  it('has no import that points from a lower layer to a higher one', () => {
    const violations = checkLayers(repoRoot).map(formatViolation);
    expect(violations).toEqual([]);
  });

  it('places every layer the architecture names', () => {
    expect(LAYERS.map((layer) => layer.name)).toEqual([
      'core',
      'sandbox',
      'tools',
      'model',
      'policy',
      'trace',
      'testing',
      'agent',
      'eval',
      'root',
    ]);
    expect(layerOf('src/cli/main.ts')?.name).toBe('root');
    expect(layerOf('src/index.ts')?.name).toBe('root');
    expect(layerOf('src/core/errors.ts')?.name).toBe('core');
  });
});

describe('the import-graph checker', () => {
  const temps: string[] = [];
  afterEach(() => {
    for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), 'assay-layers-'));
    temps.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('fails on a tree where core imports the agent, naming the file, line and import', () => {
    const root = tree({
      'src/core/tool.ts':
        "import { z } from 'zod';\nimport type { Loop } from '../agent/loop.js';\n",
      'src/agent/loop.ts': "import type { Tool } from '../core/tool.js';\nexport type Loop = 1;\n",
    });
    expect(checkLayers(root).map(formatViolation)).toEqual([
      "src/core/tool.ts:2: import '../agent/loop.js': layer core may import nothing, not agent",
    ]);
  });

  it('fails when the eval layer imports tools/, which only the composition root wires in', () => {
    const root = tree({
      'src/eval/run/runner.ts': "export { createBuiltinTools } from '../../../tools/index.js';\n",
      'tools/index.ts': 'export const createBuiltinTools = 1;\n',
      'src/cli/run.ts': "import { createBuiltinTools } from '../../tools/index.js';\n",
    });
    expect(checkLayers(root).map(formatViolation)).toEqual([
      "src/eval/run/runner.ts:1: import '../../../tools/index.js': layer eval may import core, sandbox, model, policy, trace, agent, not tools",
    ]);
  });

  it('sees dynamic imports and import() types as well as static ones', () => {
    const text = [
      "type T = typeof import('../../tools/index.js');",
      "const m = await import('../agent/episode.js');",
      "export * from '../trace/schema.js';",
    ].join('\n');
    expect(importsOf('src/model/x.ts', text)).toEqual([
      { line: 1, specifier: '../../tools/index.js' },
      { line: 2, specifier: '../agent/episode.js' },
      { line: 3, specifier: '../trace/schema.js' },
    ]);
    expect(checkFile('src/model/x.ts', text).map((v) => v.line)).toEqual([1, 2, 3]);
  });

  it('keeps native packages behind the layer that owns them', () => {
    const violations = checkFile(
      'src/eval/verifiers/js.ts',
      "import ivm from 'isolated-vm';\nimport { z } from 'zod';\n",
    );
    expect(violations.map(formatViolation)).toEqual([
      "src/eval/verifiers/js.ts:1: import 'isolated-vm': only sandbox/isolate/ may import the package isolated-vm",
    ]);
  });

  it('refuses a file that belongs to no layer and an import out of the source tree', () => {
    expect(checkFile('src/misc/helper.ts', '').map(formatViolation)).toEqual([
      'src/misc/helper.ts: the file belongs to no layer',
    ]);
    expect(
      checkFile('src/model/x.ts', "import a from '../../examples/tiny-model/world.js';").map(
        formatViolation,
      ),
    ).toEqual([
      "src/model/x.ts:1: import '../../examples/tiny-model/world.js': examples/tiny-model/world.js is outside the layered source tree",
    ]);
  });
});
