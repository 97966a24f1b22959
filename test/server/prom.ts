// A strict reader of the Prometheus text exposition format (version 0.0.4), for the tests: every
// line must be a HELP, a TYPE or a sample of a declared metric, label values properly escaped.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  help: Map<string, string>;
  type: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseLabels(text: string, line: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    if (eq === -1) throw new Error(`bad labels in: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`bad label name "${name}" in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`unquoted label value in: ${line}`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const ch = text[j];
      if (ch === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (ch === '\\') {
        const nx = text[j + 1];
        if (nx === 'n') v += '\n';
        else if (nx === '\\') v += '\\';
        else if (nx === '"') v += '"';
        else throw new Error(`bad escape \\${nx} in: ${line}`);
        j += 2;
        continue;
      }
      if (ch === '"') break;
      if (ch === '\n') throw new Error(`raw newline in label value: ${line}`);
      v += ch;
      j++;
    }
    if (name in out) throw new Error(`label ${name} repeated in: ${line}`);
    out[name] = v;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i < text.length) throw new Error(`expected , after label in: ${line}`);
  }
  return out;
}

export function parseExposition(body: string): Exposition {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  if (!body.endsWith('\n')) throw new Error('the exposition must end with a newline');
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const [name, ...rest] = line.slice(7).split(' ');
      if (!NAME.test(name!)) throw new Error(`bad metric name in: ${line}`);
      help.set(name!, rest.join(' '));
      continue;
    }
    if (line.startsWith('# TYPE ')) {
      const [name, t] = line.slice(7).split(' ');
      if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(t ?? '')) throw new Error(`bad type in: ${line}`);
      type.set(name!, t!);
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const name = m[1]!;
    if (!type.has(name)) throw new Error(`sample of undeclared metric ${name}`);
    const value = m[4] === 'NaN' ? Number.NaN : m[4] === '+Inf' ? Infinity : m[4] === '-Inf' ? -Infinity : Number(m[4]);
    if (Number.isNaN(value) && m[4] !== 'NaN') throw new Error(`bad value in: ${line}`);
    samples.push({ name, labels: m[3] ? parseLabels(m[3], line) : {}, value });
  }
  return { help, type, samples };
}
