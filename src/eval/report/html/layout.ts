import { escapeHtml as esc } from './escape.js';

export function section(id: string, title: string, body: readonly string[]): string {
  return `<section aria-labelledby="h-${id}"><h2 id="h-${id}">${esc(title)}</h2>${body.join('\n')}</section>`;
}

/**
 * A table whose cells are already HTML; every piece of data in them was escaped by the caller.
 * Columns are right-aligned numbers except the first and those listed in `textColumns`.
 */
export function table(
  head: readonly string[],
  rows: readonly string[][],
  caption: string,
  textColumns: readonly number[] = [],
): string {
  const align = (i: number) => (i === 0 || textColumns.includes(i) ? '' : ' class="num"');
  const th = head.map((h, i) => `<th${align(i)} scope="col">${h}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td${align(i)}>${c}</td>`)).join('')}</tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table><caption class="sr-only">${esc(caption)}</caption><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}
