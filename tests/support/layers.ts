import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

/**
 * The layers of the source tree and what each may import (ARCHITECTURE §1, docs/layers.md).
 * A file belongs to the first layer one of whose prefixes its path starts with; a file that
 * belongs to none is itself a violation, so a new folder has to be placed on purpose.
 */
export interface Layer {
  name: string;
  /** Path prefixes relative to the repository root, with `/`. */
  paths: readonly string[];
  /** Layers this one may import besides itself; `*` means all of them. */
  mayImport: readonly string[] | '*';
}

export const LAYERS: readonly Layer[] = [
  { name: 'core', paths: ['src/core/'], mayImport: [] },
  { name: 'sandbox', paths: ['sandbox/'], mayImport: ['core'] },
  { name: 'tools', paths: ['tools/'], mayImport: ['core', 'sandbox'] },
  { name: 'model', paths: ['src/model/'], mayImport: ['core'] },
  { name: 'policy', paths: ['src/policy/'], mayImport: ['core'] },
  { name: 'trace', paths: ['src/trace/'], mayImport: ['core'] },
  // The scripted model servers shipped as `assay/testing`: they speak the model wire formats.
  { name: 'testing', paths: ['src/testing/', 'src/testing.ts'], mayImport: ['core', 'model'] },
  { name: 'agent', paths: ['src/agent/'], mayImport: ['core', 'model', 'policy', 'trace'] },
  {
    name: 'eval',
    paths: ['src/eval/'],
    mayImport: ['core', 'sandbox', 'model', 'policy', 'trace', 'agent'],
  },
  // The composition root: it wires the built-in tools, sandboxes and providers together.
  {
    name: 'root',
    paths: ['src/cli/', 'src/index.ts', 'src/parsers.ts', 'src/verifiers.ts'],
    mayImport: '*',
  },
];

/**
 * Packages that only one part of the tree may load, so that heavy or native code stays behind
 * the interface of the layer that owns it.
 */
export const PACKAGE_OWNERS: Readonly<Record<string, readonly string[]>> = {
  'isolated-vm': ['sandbox/isolate/'],
  dockerode: ['sandbox/docker/'],
  'node-llama-cpp': ['src/model/'],
  openai: ['src/model/'],
};

/** The source roots whose files are checked. */
export const SOURCE_ROOTS = ['src', 'tools', 'sandbox'] as const;

export interface LayerViolation {
  /** Path of the importing file, relative to the root, with `/`. */
  file: string;
  line: number;
  /** The module specifier as written. */
  specifier: string;
  reason: string;
}

export interface ImportEdge {
  line: number;
  specifier: string;
}

/** Every module a file names: static and dynamic imports, re-exports and `import()` types. */
export function importsOf(fileName: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, literal: ts.Expression | undefined) => {
    if (literal === undefined || !ts.isStringLiteralLike(literal)) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    edges.push({ line: line + 1, specifier: literal.text });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      add(node, node.moduleSpecifier);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0]);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node, node.argument.literal);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

export function layerOf(path: string, layers: readonly Layer[] = LAYERS): Layer | undefined {
  return layers.find((layer) => layer.paths.some((prefix) => path.startsWith(prefix)));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Checks one file's imports; `file` is relative to the repository root, with `/`. */
export function checkFile(
  file: string,
  text: string,
  layers: readonly Layer[] = LAYERS,
): LayerViolation[] {
  const from = layerOf(file, layers);
  if (from === undefined) {
    return [{ file, line: 1, specifier: '', reason: 'the file belongs to no layer' }];
  }
  const violations: LayerViolation[] = [];
  for (const { line, specifier } of importsOf(file, text)) {
    if (!specifier.startsWith('.')) {
      const owners = PACKAGE_OWNERS[packageName(specifier)];
      if (owners !== undefined && !owners.some((prefix) => file.startsWith(prefix))) {
        violations.push({
          file,
          line,
          specifier,
          reason: `only ${owners.join(', ')} may import the package ${packageName(specifier)}`,
        });
      }
      continue;
    }
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    const to = layerOf(target.replace(/\.js$/, '.ts'), layers) ?? layerOf(target, layers);
    if (to === undefined) {
      violations.push({
        file,
        line,
        specifier,
        reason: `${target} is outside the layered source tree`,
      });
      continue;
    }
    if (to === from || from.mayImport === '*' || from.mayImport.includes(to.name)) continue;
    const allowed = from.mayImport.length === 0 ? 'nothing' : from.mayImport.join(', ');
    violations.push({
      file,
      line,
      specifier,
      reason: `layer ${from.name} may import ${allowed}, not ${to.name}`,
    });
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Checks every TypeScript file under the source roots of `root`. */
export function checkLayers(root: string, layers: readonly Layer[] = LAYERS): LayerViolation[] {
  return SOURCE_ROOTS.flatMap((sourceRoot) => sourceFiles(join(root, sourceRoot))).flatMap(
    (path) => {
      const file = relative(root, path).split(sep).join('/');
      return checkFile(file, readFileSync(path, 'utf8'), layers);
    },
  );
}

export function formatViolation(v: LayerViolation): string {
  return v.specifier === ''
    ? `${v.file}: ${v.reason}`
    : `${v.file}:${v.line}: import '${v.specifier}': ${v.reason}`;
}
