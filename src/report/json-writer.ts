/**
 * `JSON.stringify(value, null, 2)`, written in pieces: arrays are written element by element, so
 * a document with a million observations or results never becomes one string (V8 caps a string
 * at about 512 MB). Elements of large arrays are stringified one at a time; everything else is
 * walked. The output is byte-identical to `JSON.stringify(value, null, 2)` for plain data.
 */
export function writeJson(value: unknown, write: (chunk: string) => void, pad = ''): void {
  if (value === null || typeof value !== 'object') {
    write(JSON.stringify(value) ?? 'null');
    return;
  }
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) { write('[]'); return; }
    write('[');
    const big = value.length > 16;
    for (let i = 0; i < value.length; i++) {
      write(`${i ? ',' : ''}\n${inner}`);
      const v = value[i] === undefined || typeof value[i] === 'function' || typeof value[i] === 'symbol' ? null : value[i];
      if (big) write(JSON.stringify(v, null, 2).replace(/\n/g, `\n${inner}`));
      else writeJson(v, write, inner);
    }
    write(`\n${pad}]`);
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && typeof v !== 'function' && typeof v !== 'symbol');
  if (entries.length === 0) { write('{}'); return; }
  write('{');
  entries.forEach(([k, v], i) => {
    write(`${i ? ',' : ''}\n${inner}${JSON.stringify(k)}: `);
    writeJson(v, write, inner);
  });
  write(`\n${pad}}`);
}
