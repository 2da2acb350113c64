import { type Node, type Pattern, parse } from 'acorn';

/**
 * User code runs through an indirect `eval` inside the isolate, wrapped in a `try` there, so
 * nothing it throws ever reaches the host (isolated-vm reads `message`, `stack` and `name` of
 * a thrown object host-side, without a time limit, which lets a Proxy spin a thread forever).
 * `eval` keeps `var` and function declarations global, but its `let`, `const` and `class`
 * declarations would die with the call. This rewrite turns top-level ones into assignments
 * to global `let` bindings the host declares first, as a REPL does: they persist between
 * calls and may be declared again in a later call.
 */
export interface ReplSource {
  /** The code to evaluate; every user token stays on its line (columns after a rewrite move). */
  source: string;
  /** Names the top-level `let`, `const` and `class` declarations bind. */
  lexicalNames: string[];
}

/** Returns null when acorn cannot parse what V8 compiled; the caller then runs it unchanged. */
export function toReplSource(code: string): ReplSource | null {
  let program: ReturnType<typeof parse>;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  } catch {
    return null;
  }
  const names: string[] = [];
  const edits: { start: number; end: number; text: string }[] = [];
  let index = 0;
  // A `let` in eval code has an empty completion value, so `1; const x = 2` still yields 1.
  const hidden = () => `$__assay${index++}`;
  for (const statement of program.body) {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      const parts = statement.declarations.map((declarator) => {
        collectNames(declarator.id, names);
        const target = code.slice(declarator.id.start, declarator.id.end);
        const value =
          declarator.init === null || declarator.init === undefined
            ? 'undefined'
            : code.slice(declarator.init.start, declarator.init.end);
        return `${target} = (${value})`;
      });
      const text = `let ${hidden()} = (${parts.join(', ')});`;
      edits.push({ start: statement.start, end: statement.end, text });
    } else if (statement.type === 'ClassDeclaration' && statement.id) {
      names.push(statement.id.name);
      const body = code.slice(statement.start, statement.end);
      edits.push({
        start: statement.start,
        end: statement.end,
        text: `let ${hidden()} = (${statement.id.name} = ${body});`,
      });
    }
  }
  let source = code;
  for (const edit of edits.reverse()) {
    source = source.slice(0, edit.start) + edit.text + source.slice(edit.end);
  }
  return { source, lexicalNames: names };
}

function collectNames(pattern: Pattern | Node, into: string[]): void {
  const node = pattern as Pattern;
  switch (node.type) {
    case 'Identifier':
      into.push(node.name);
      return;
    case 'ObjectPattern':
      for (const property of node.properties) {
        collectNames(property.type === 'RestElement' ? property.argument : property.value, into);
      }
      return;
    case 'ArrayPattern':
      for (const element of node.elements) if (element) collectNames(element, into);
      return;
    case 'RestElement':
      collectNames(node.argument, into);
      return;
    case 'AssignmentPattern':
      collectNames(node.left, into);
      return;
    default:
      return;
  }
}
