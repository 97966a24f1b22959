/**
 * Shell-style wildcard matching (`*` any run of characters, `?` one character, everything else
 * literally), anchored at both ends. Iterative, with one remembered star: the work is at most
 * len(pattern) × len(value) steps whatever the input (a translated regular expression backtracks
 * exponentially on patterns such as `*-*-*-*-*-*-canary`, issue 18).
 */
export function wildcardMatch(pattern: string, value: string, opts: { question?: boolean; caseInsensitive?: boolean } = {}): boolean {
  const question = opts.question !== false;
  const p = opts.caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = opts.caseInsensitive ? value.toLowerCase() : value;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < v.length) {
    const c = p.charCodeAt(i);
    if (i < p.length && c !== 0x2a && (c === v.charCodeAt(j) || (question && c === 0x3f))) {
      i++;
      j++;
    } else if (i < p.length && c === 0x2a) {
      // Collapse runs of stars: `**` matches what `*` does.
      while (p.charCodeAt(i) === 0x2a) i++;
      if (i === p.length) return true;
      star = i;
      mark = j;
    } else if (star !== -1) {
      // The last star takes one more character; nothing before it is revisited.
      i = star;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (p.charCodeAt(i) === 0x2a) i++;
  return i === p.length;
}

/** Shell-style glob (`*`, `?`), case-sensitive, anchored. */
export function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return wildcardMatch(pattern, value);
}
