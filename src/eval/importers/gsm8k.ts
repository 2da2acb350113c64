import type { Task } from '../task-schema.js';
import { type ImportOptions, withInstruction } from './instruction.js';
import { readSourceRows, rowError, stringField } from './source-rows.js';

const FINAL_MARKER = /####\s*(.+?)\s*$/;

/**
 * Turns a GSM8K file (`{"question", "answer"}` lines whose answer ends in `#### N`) into
 * tasks `gsm8k-<row>` whose answer is N without thousands separators. Row numbers count from
 * 0 in file order, so a sampled task keeps the id it has in the full set.
 */
export async function importGsm8k(path: string, options: ImportOptions = {}): Promise<Task[]> {
  const rows = await readSourceRows(path, options.signal);
  return rows.map((row) => {
    const question = stringField(path, row, 'question');
    const solution = stringField(path, row, 'answer');
    const final = FINAL_MARKER.exec(solution)?.[1];
    if (final === undefined) throw rowError(path, row.line, '"answer": no "#### N" final answer');
    return {
      id: `gsm8k-${row.index}`,
      prompt: withInstruction(question, options),
      answer: gsm8kNumber(final),
      verifier: 'math',
      tags: ['gsm8k'],
    };
  });
}

/** `1,450,000` → `1450000`; GSM8K writes thousands separators in some final answers. */
export function gsm8kNumber(text: string): string {
  return text.replace(/,/g, '').trim();
}
