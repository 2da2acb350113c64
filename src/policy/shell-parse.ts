/**
 * A conservative reader of the bash subset models write, for policy rules on `bash` commands.
 * It finds every simple command a line would run — across `;`, `&&`, `||`, `|`, `&`, newlines,
 * subshells, groups, `$(...)`, backticks, process substitution and `bash -c` strings — and
 * gives up (returns null) on anything it cannot read with certainty, so callers can fail closed.
 * It never runs or expands anything: words keep `$VAR` as written, minus quotes.
 */

/** One simple command: its words after quote removal, and what the parser saw around them. */
export interface SimpleCommand {
  words: string[];
  /** Per word: whether its value comes from an expansion or a glob, not only what is written. */
  dynamic: boolean[];
  /** Number of leading `VAR=value` words in `words`. */
  assignments: number;
  /** Whether output is redirected to a file (not `/dev/null`, not `>&N`). */
  writesFile: boolean;
}

/** A pipeline: commands joined by `|`; a lone command is a pipeline of one. */
export type Pipeline = SimpleCommand[];

const MAX_DEPTH = 16;
const MAX_LENGTH = 100_000;

/** Thrown inside the parser when the text is outside the subset it reads with certainty. */
class Unreadable extends Error {}

/** The pipelines of a command line, nested ones included, or null when it cannot be read safely. */
export function parseShell(text: string): Pipeline[] | null {
  if (text.length > MAX_LENGTH) return null;
  try {
    const out: Pipeline[] = [];
    new Parser(text, out, 0).parseList(null);
    return out;
  } catch (error) {
    if (error instanceof Unreadable) return null;
    throw error;
  }
}

// Words that start or continue a compound command; the command after them is what runs.
const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'while',
  'until',
  '!',
  '{',
  '}',
]);
// Constructs whose bodies this reader does not follow: refusing them keeps allow rules closed.
const UNREADABLE_KEYWORDS = new Set(['case', 'esac', 'function', 'select', 'coproc']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;

interface Word {
  text: string;
  /** Contains an unquoted `$`, backtick or glob character: its value is not what is written. */
  dynamic: boolean;
}

class Parser {
  #i = 0;
  readonly #s: string;
  readonly #out: Pipeline[];
  readonly #depth: number;
  /** Inside backticks, a backtick ends the list rather than opening a new one. */
  #inBackticks = false;
  #heredocs: { delimiter: string; strip: boolean; literal: boolean }[] = [];

  constructor(text: string, out: Pipeline[], depth: number) {
    if (depth > MAX_DEPTH) throw new Unreadable();
    this.#s = text;
    this.#out = out;
    this.#depth = depth;
  }

  /** Reads commands until `close` (a `)` or a backtick) or the end of the text. */
  parseList(close: string | null): void {
    this.#inBackticks = close === '`';
    let pipeline: Pipeline = [];
    let current: Command | null = null;
    const endCommand = () => {
      if (current && current.words.length > 0) pipeline.push(current.finish());
      else if (current?.hasRedirect) pipeline.push(current.finish());
      current = null;
    };
    const endPipeline = () => {
      endCommand();
      if (pipeline.length > 0) this.#out.push(pipeline);
      pipeline = [];
    };
    const s = this.#s;
    while (this.#i < s.length) {
      const c = s[this.#i]!;
      if (close !== null && c === close) {
        this.#i++;
        endPipeline();
        if (this.#heredocs.length > 0) throw new Unreadable();
        return;
      }
      if (c === ' ' || c === '\t') {
        this.#i++;
        continue;
      }
      if (c === '\\' && s[this.#i + 1] === '\n') {
        this.#i += 2;
        continue;
      }
      // The loop is always at a word boundary here, where `#` starts a comment.
      if (c === '#') {
        while (this.#i < s.length && s[this.#i] !== '\n') this.#i++;
        continue;
      }
      if (c === '\n') {
        this.#i++;
        endPipeline();
        this.#readHeredocs();
        continue;
      }
      if (c === ';' || c === '&') {
        // `;;` belongs to `case`, refused with it; `&&`, `&` and `;` all end a pipeline.
        if (c === '&' && s[this.#i + 1] === '>') {
          current ??= new Command();
          this.#redirect(current);
          continue;
        }
        this.#i += s[this.#i + 1] === c ? 2 : 1;
        endPipeline();
        continue;
      }
      if (c === '|') {
        if (s[this.#i + 1] === '|') {
          this.#i += 2;
          endPipeline();
          continue;
        }
        this.#i += s[this.#i + 1] === '&' ? 2 : 1;
        endCommand();
        continue;
      }
      if (c === '(') {
        // A subshell only where a command may start; `name()` is a function definition.
        if (current !== null && current.words.length > 0) throw new Unreadable();
        if (s[this.#i + 1] === '(') throw new Unreadable();
        this.#i++;
        endPipeline();
        new Parser(s, this.#out, this.#depth + 1).#subList(this, ')');
        continue;
      }
      if (c === ')') throw new Unreadable();
      if (c === '<' || c === '>' || (/[0-9]/.test(c) && this.#fdRedirect())) {
        current ??= new Command();
        if ((c === '<' || c === '>') && s[this.#i + 1] === '(') {
          // Process substitution: a nested command list, and a word for the outer command.
          this.#i += 2;
          new Parser(s, this.#out, this.#depth + 1).#subList(this, ')');
          current.add({ text: '/dev/fd/63', dynamic: true });
          continue;
        }
        this.#redirect(current);
        continue;
      }
      const word = this.#word();
      current ??= new Command();
      if (current.words.length === current.assignments && (!word.dynamic || word.text === '{')) {
        if (UNREADABLE_KEYWORDS.has(word.text)) throw new Unreadable();
        if (KEYWORDS.has(word.text) && current.words.length === 0) {
          // `if`, `then`, `!`, `{`: what follows starts a new command.
          continue;
        }
      }
      current.add(word);
    }
    if (close !== null) throw new Unreadable();
    endPipeline();
    if (this.#heredocs.length > 0) throw new Unreadable();
  }

  /** Runs a nested list in `outer`'s text from its position, then moves `outer` past it. */
  #subList(outer: Parser, close: string): void {
    this.#i = outer.#i;
    this.parseList(close);
    outer.#i = this.#i;
  }

  /** Whether digits here start a redirection such as `2>` or `2>&1`. */
  #fdRedirect(): boolean {
    const m = /^[0-9]+[<>]/.exec(this.#s.slice(this.#i, this.#i + 12));
    return m !== null && (this.#i === 0 || /[\s;&|(]/.test(this.#s[this.#i - 1]!));
  }

  #redirect(command: Command): void {
    const s = this.#s;
    while (/[0-9]/.test(s[this.#i] ?? '')) this.#i++;
    let op = '';
    while (this.#i < s.length && /[<>&|-]/.test(s[this.#i]!) && op.length < 3) {
      // `>&` may be followed by a digit or `-`; `<<-` is a here-document that strips tabs.
      if (s[this.#i] === '-' && op !== '<<' && op !== '>&' && op !== '<&') break;
      op += s[this.#i];
      this.#i++;
      if (op === '<<<') break;
    }
    while (s[this.#i] === ' ' || s[this.#i] === '\t') this.#i++;
    if (this.#i >= s.length || /[\n;&|()]/.test(s[this.#i]!)) throw new Unreadable();
    const start = this.#i;
    const target = this.#word();
    command.hasRedirect = true;
    if (op === '<<' || op === '<<-') {
      const raw = s.slice(start, this.#i);
      this.#heredocs.push({
        delimiter: target.text,
        strip: op === '<<-',
        literal: /['"\\]/.test(raw),
      });
      return;
    }
    if (op.includes('>') && !op.endsWith('&') && target.text !== '/dev/null') {
      command.writesFile = true;
    }
    if ((op === '>&' || op === '&>') && !/^[0-9-]+$/.test(target.text)) command.writesFile = true;
  }

  /** Skips the bodies of here-documents opened on the line just ended. */
  #readHeredocs(): void {
    const s = this.#s;
    for (const doc of this.#heredocs) {
      for (;;) {
        if (this.#i >= s.length) throw new Unreadable();
        const end = s.indexOf('\n', this.#i);
        const line = s.slice(this.#i, end === -1 ? s.length : end);
        this.#i = end === -1 ? s.length : end + 1;
        if ((doc.strip ? line.replace(/^\t+/, '') : line) === doc.delimiter) break;
        // An unquoted delimiter lets the body run substitutions: not followed here.
        if (!doc.literal && /\$\(|`/.test(line)) throw new Unreadable();
      }
    }
    this.#heredocs = [];
  }

  /** One word with its quotes removed; nested substitutions are parsed on the way. */
  #word(): Word {
    const s = this.#s;
    let text = '';
    let dynamic = false;
    while (this.#i < s.length) {
      const c = s[this.#i]!;
      if (/[\s;&|()<>]/.test(c) || (c === '`' && this.#inBackticks)) break;
      if (c === '\\') {
        if (this.#i + 1 >= s.length) throw new Unreadable();
        if (s[this.#i + 1] !== '\n') text += s[this.#i + 1];
        this.#i += 2;
      } else if (c === "'") {
        const end = s.indexOf("'", this.#i + 1);
        if (end === -1) throw new Unreadable();
        text += s.slice(this.#i + 1, end);
        this.#i = end + 1;
      } else if (c === '"') {
        this.#i++;
        const quoted = this.#doubleQuoted();
        text += quoted.text;
        dynamic ||= quoted.dynamic;
      } else if (c === '$') {
        text += this.#dollar();
        dynamic = true;
      } else if (c === '`') {
        this.#i++;
        new Parser(s, this.#out, this.#depth + 1).#subList(this, '`');
        text += '`...`';
        dynamic = true;
      } else {
        // A glob or `~` may expand to other words; a lone `[` is the test command, not a glob.
        if (/[*?~]/.test(c) || (c === '[' && /^[^\s;&|()<>]*\]/.test(s.slice(this.#i + 1))))
          dynamic = true;
        if (c === '{' && /^[^\s;&|()<>]*[,}]/.test(s.slice(this.#i + 1))) dynamic = true;
        text += c;
        this.#i++;
      }
    }
    return { text, dynamic };
  }

  #doubleQuoted(): Word {
    const s = this.#s;
    let text = '';
    let dynamic = false;
    while (this.#i < s.length) {
      const c = s[this.#i]!;
      if (c === '"') {
        this.#i++;
        return { text, dynamic };
      }
      if (c === '\\') {
        const next = s[this.#i + 1];
        if (next === undefined) throw new Unreadable();
        if (next === '\n') {
          this.#i += 2;
          continue;
        }
        text += /[$`"\\]/.test(next) ? next : `\\${next}`;
        this.#i += 2;
      } else if (c === '$') {
        const before = this.#i;
        text += this.#dollar();
        // A lone `$` before a space or the closing quote is literal.
        dynamic ||= this.#i - before > 1;
      } else if (c === '`') {
        this.#i++;
        new Parser(s, this.#out, this.#depth + 1).#subList(this, '`');
        text += '`...`';
        dynamic = true;
      } else {
        text += c;
        this.#i++;
      }
    }
    throw new Unreadable();
  }

  /**
   * `$((...))` runs nothing unless it holds a substitution (array subscripts included), so it
   * is kept as text when it holds none.
   */
  #arithmetic(): string {
    const s = this.#s;
    let depth = 0;
    for (let j = this.#i + 1; j < s.length; j++) {
      const c = s[j];
      if (c === '`' || c === '"' || c === "'" || c === '\\') throw new Unreadable();
      if (c === '$' && s[j + 1] === '(' && j !== this.#i) throw new Unreadable();
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        const text = s.slice(this.#i, j + 1);
        if (!text.endsWith('))')) throw new Unreadable();
        this.#i = j + 1;
        return text;
      }
    }
    throw new Unreadable();
  }

  /** `$(...)` is parsed as commands; `${...}` and `$((...))` are kept only when they run nothing. */
  #dollar(): string {
    const s = this.#s;
    const next = s[this.#i + 1];
    if (next === '(' && s[this.#i + 2] === '(') return this.#arithmetic();
    if (next === '(') {
      this.#i += 2;
      new Parser(s, this.#out, this.#depth + 1).#subList(this, ')');
      return '$(...)';
    }
    if (next === '{') {
      const end = s.indexOf('}', this.#i + 2);
      if (end === -1) throw new Unreadable();
      const body = s.slice(this.#i, end + 1);
      if (/[`$]\(|`|\$\{/.test(body.slice(2))) throw new Unreadable();
      this.#i = end + 1;
      return body;
    }
    if (next === "'" || next === '"') throw new Unreadable();
    const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])?/.exec(s.slice(this.#i));
    const length = m?.[0].length ?? 1;
    const text = s.slice(this.#i, this.#i + length);
    this.#i += length;
    return text;
  }
}

/** A simple command being read. */
class Command {
  words: string[] = [];
  dynamic: boolean[] = [];
  assignments = 0;
  writesFile = false;
  hasRedirect = false;

  add(word: Word): void {
    if (this.words.length === this.assignments && ASSIGNMENT.test(word.text)) this.assignments++;
    this.words.push(word.text);
    this.dynamic.push(word.dynamic);
  }

  finish(): SimpleCommand {
    return {
      words: this.words,
      dynamic: this.dynamic,
      assignments: this.assignments,
      writesFile: this.writesFile,
    };
  }
}
