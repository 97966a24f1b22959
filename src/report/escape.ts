/**
 * Escaping for every medium a cluster-supplied string can reach (DESIGN.md "Conventions").
 * Names, labels and messages come from the cluster or from files and are hostile until escaped.
 */

// C0 and C1 control characters (tab and newline included: a name never legitimately has them),
// DEL, the Unicode bidirectional marks, overrides and isolates (the Arabic letter mark U+061C
// included) and other invisible format characters used in "Trojan Source" tricks, and the line and
// paragraph separators U+2028/U+2029, which some terminals and editors take as line breaks.
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** Make a string safe for a terminal: control and bidi characters become visible `\uXXXX` escapes. */
export function escapeTerminal(s: string, max = 200): string {
  const out = s.replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

const HTML_ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escape for HTML text and (quoted) attribute values; bidi/control characters are made visible. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => HTML_ESC[c]!).replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Escape Markdown inline text (tables included): markup characters, pipes, HTML and newlines. */
export function escapeMarkdown(s: string, max = 500): string {
  const t = s
    .replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/**
 * Neutralise spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab or CR is
 * prefixed with a single quote (OWASP "CSV Injection"), and so is every line of a multi-line cell
 * (a spreadsheet that splits a cell at a bare CR or LF sees each line as a cell of its own; the
 * writer quotes such cells too, see csv.ts).
 */
export function neutraliseCsvCell(s: string): string {
  const out = /[\r\n]/.test(s)
    ? s.split(/(\r\n|\r|\n)/).map((part, i) => (i % 2 === 0 && /^[=+\-@\t]/.test(part) ? `'${part}` : part)).join('')
    : /^[=+\-@\t]/.test(s) ? `'${s}` : s;
  return /^[\r\n]/.test(out) ? `'${out}` : out;
}

/** Escape XML text and attribute content; characters XML 1.0 cannot carry are replaced. */
export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
