const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Makes any text safe as HTML element content or a quoted attribute value. Everything that
 * came from a trace or a suite (model output above all) goes through here; the report builds
 * its markup as strings and never parses data as HTML.
 */
export function escapeHtml(text: string): string {
  // Lone surrogates and C0 controls other than tab and newline would make the file invalid.
  return text
    .replace(/[&<>"']/g, (ch) => ENTITIES[ch]!)
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A short form of long text for labels; the full text goes in a tooltip. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
