import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collectFiles, readOne } from '../../../src/collectors/files/read.js';
import type { ParsedInput } from '../../../src/collectors/files/parse.js';
import { JsonStreamReader, parseManifestStream, shareStrings } from '../../../src/collectors/files/stream.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-stream-'));
const fresh = (): ParsedInput => ({ objects: [], problems: [], bundles: [] });

/** Read the same bytes in memory and as a stream (threshold 1 byte, tiny chunks), and return both. */
async function both(text: string | Buffer, name = 'in.json', chunk = 7) {
  const dir = tmp();
  const path = join(dir, name);
  writeFileSync(path, text);
  const mem = fresh();
  await readOne(path, name, mem, undefined, Number.MAX_SAFE_INTEGER);
  const str = fresh();
  await readOne(path, name, str, undefined, 1);
  // The same stream in pieces of `chunk` bytes, to cross every boundary.
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  const pieces = fresh();
  const parts: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) parts.push(buf.subarray(i, i + chunk));
  if (!(buf[0] === 0x1f && buf[1] === 0x8b)) await parseManifestStream(Readable.from(parts), name, pieces);
  else Object.assign(pieces, str);
  return { mem, str, pieces };
}

const summary = (p: ParsedInput) => ({
  objects: p.objects.map((o) => [o.kind, o.metadata.namespace, o.metadata.name, o.$source?.line]),
  bundles: p.bundles.map((b) => b.kubernetes.objects.map((o) => o.metadata.name)),
  problems: p.problems.map((x) => [x.reason, x.line]),
  tools: (p.tools ?? []).map((t) => t.tool),
});

const pod = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, managedFields: [{ manager: 'kubelet' }], annotations: { note: 'a "quoted" \\ value ] } {' } },
  spec: { containers: [{ name: 'c', image: 'nginx', env: [{ name: 'API_TOKEN', value: 'x' }] }] },
  ...extra,
});

describe('streaming reader gives the in-memory snapshot', () => {
  it('JSON List as kubectl prints it (items before kind), with item lines', async () => {
    const text = `${JSON.stringify({ apiVersion: 'v1', items: [pod('a'), pod('b \u00e9\u4e2d'), pod('c')], kind: 'List', metadata: { resourceVersion: '' } }, null, 4)}\n`;
    const { mem, str, pieces } = await both(text, 'pods.json');
    expect(mem.problems).toEqual([]);
    expect(mem.objects.map((o) => o.metadata.name)).toEqual(['a', 'b \u00e9\u4e2d', 'c']);
    expect(mem.objects.map((o) => o.$source?.line)).toEqual([4, 35, 66]);
    expect(str.objects).toEqual(mem.objects);
    expect(pieces.objects).toEqual(mem.objects);
    expect(str.objects[0]!.metadata.managedFields).toBeUndefined();
    expect((str.objects[0]!.spec as { containers: { env: { value: string }[] }[] }).containers[0]!.env[0]!.value).toMatch(/redacted/);
  });

  it('JSON List items with escapes and brackets in strings, cut at every chunk size (escapes split across chunks)', async () => {
    const tricky = (name: string) => pod(name, { metadata: { name, namespace: 'default', annotations: { a: 'ends with a backslash \\', b: '\\"} ] { [', c: '\\\\\\"', d: 'line\nbreak \t tab \u00e9 "q"' } } });
    for (const indent of [0, 2]) {
      const text = `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [tricky('a'), tricky('b'), tricky('c')] }, null, indent)}\n`;
      for (let chunk = 1; chunk <= 9; chunk++) {
        const { mem, pieces } = await both(text, 'pods.json', chunk);
        expect(mem.problems).toEqual([]);
        expect(pieces.problems).toEqual([]);
        expect(summary(pieces)).toEqual(summary(mem));
        expect(pieces.objects).toEqual(mem.objects);
      }
    }
  });

  it('shares repeated string values without changing any value (lists, nesting, long strings, unique keys, deep values)', () => {
    const make = () => {
      let deep: unknown = { label: 'app.kubernetes.io/name' };
      for (let i = 0; i < 100; i++) deep = { a: [deep, 'repeated-value'] };
      return {
        metadata: { name: 'pod-name-1234', uid: 'uid-0000-1111', labels: { app: 'checkout-service', team: 'payments-team' } },
        spec: { containers: [{ image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/web:1.0', args: ['--config=/etc/app/config.yaml', 'short', 'x'.repeat(300)], env: [{ name: 'A', value: null }] }] },
        deep,
      };
    };
    const a = make();
    const b = make();
    shareStrings(a);
    shareStrings(b);
    expect(a).toEqual(make());
    expect(b).toEqual(make());
    expect(() => shareStrings(null)).not.toThrow();
    expect(() => shareStrings('a string')).not.toThrow();
  });

  it('a snapshot bundle, compact and pretty, plain and gzip', async () => {
    const bundle = {
      schema: 'eks-soc2/snapshot@1', createdAt: '2026-11-26T00:00:00.000Z', cluster: { name: 'c' }, collector: { tool: 'eks-soc2', version: '0.1.0' },
      kubernetes: { source: 'live', complete: true, kinds: { 'core/Pod': { state: 'collected', count: 2 } }, objects: [pod('x'), pod('y')] },
      aws: { source: 'none', calls: {}, facts: [] }, tools: [], gaps: [],
    };
    for (const text of [JSON.stringify(bundle), JSON.stringify(bundle, null, 2)]) {
      const plain = await both(text, 'bundle.json');
      expect(plain.mem.problems).toEqual([]);
      expect(plain.mem.bundles).toHaveLength(1);
      expect(plain.str.bundles).toEqual(plain.mem.bundles);
      expect(plain.pieces.bundles).toEqual(plain.mem.bundles);
      const gz = await both(gzipSync(text), 'bundle.json.gz');
      expect(gz.str.bundles).toEqual(plain.mem.bundles);
      expect(gz.mem.bundles).toEqual(plain.mem.bundles);
    }
  });

  it('a top-level array, a single object, a tool report and JSON Lines', async () => {
    for (const text of [
      JSON.stringify([pod('a'), pod('b')]),
      JSON.stringify(pod('solo'), null, 2),
      `${JSON.stringify(pod('l1'))}\n${JSON.stringify(pod('l2'))}\n`,
      JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [] }),
    ]) {
      const { mem, str, pieces } = await both(text);
      expect(summary(str)).toEqual(summary(mem));
      expect(summary(pieces)).toEqual(summary(mem));
    }
  });

  it('multi-document YAML with comments, "--- content", CRLF and a BOM', async () => {
    const cm = (n: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}\n  namespace: default\n`;
    const texts = [
      `---\n# Source: chart/templates/cm.yaml\n${cm('a')}---\n\n${cm('b')}...\n--- {apiVersion: v1, kind: Namespace, metadata: {name: n}}\n---\n${cm('c')}`,
      `\ufeff${cm('a').replace(/\n/g, '\r\n')}---\r\n${cm('b').replace(/\n/g, '\r\n')}`,
    ];
    for (const text of texts) {
      const { mem, str, pieces } = await both(text, 'in.yaml', 5);
      expect(mem.problems).toEqual([]);
      expect(mem.objects.length).toBeGreaterThanOrEqual(2);
      expect(summary(str)).toEqual(summary(mem));
      expect(summary(pieces)).toEqual(summary(mem));
      expect(str.objects).toEqual(mem.objects);
    }
  });

  it('a YAML kind: List (kubectl get -o yaml), dash at column 0 and indented', async () => {
    const item = (n: string, ind: string) => `${ind}- apiVersion: v1\n${ind}  kind: Pod\n${ind}  metadata:\n${ind}    name: ${n}\n${ind}    managedFields:\n${ind}    - manager: kubelet\n${ind}  spec:\n${ind}    containers:\n${ind}    - name: c\n${ind}      image: nginx\n${ind}      args:\n${ind}      - |\n${ind}        multi\n${ind}        - line\n`;
    for (const ind of ['', '  ']) {
      const text = `apiVersion: v1\nitems:\n${item('a', ind)}${item('b', ind)}\n${item('c', ind)}kind: List\nmetadata:\n  resourceVersion: ""\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: after\n`;
      const { mem, str, pieces } = await both(text, 'pods.yaml', 3);
      expect(mem.problems).toEqual([]);
      expect(mem.objects.map((o) => [o.metadata.name, o.$source?.line])).toEqual([['a', 3], ['b', 17], ['c', 32], ['after', 50]]);
      expect(str.objects).toEqual(mem.objects);
      expect(pieces.objects).toEqual(mem.objects);
    }
  });

  it('YAML documents that only look like Lists: items as a mapping, null items, not a List kind', async () => {
    for (const text of [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\nitems:\n  a: 1\n',
      'apiVersion: v1\nkind: List\nitems:\nmetadata: {}\n',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nitems:\n- a: 1\n- b: 2\n',
    ]) {
      const { mem, str } = await both(text, 'x.yaml');
      expect(summary(str)).toEqual(summary(mem));
      expect(str.objects).toEqual(mem.objects);
    }
  });
});

describe('malformed input in the middle of a stream', () => {
  it('JSON: a bad List item is reported with its line and the rest is read', async () => {
    const good = (n: string) => JSON.stringify(pod(n), null, 2).replace(/\n/g, '\n    ');
    const bad = '{\n      "apiVersion": "v1",\n      "kind": "Pod",\n      oops: 1\n    }';
    const text = `{\n  "apiVersion": "v1",\n  "items": [\n    ${good('a')},\n    ${bad},\n    ${good('c')}\n  ],\n  "kind": "List"\n}\n`;
    const out = fresh();
    await parseManifestStream(Readable.from([Buffer.from(text)]), 'list.json', out);
    expect(out.objects.map((o) => o.metadata.name)).toEqual(['a', 'c']);
    expect(out.problems).toHaveLength(1);
    const badLine = text.slice(0, text.indexOf('oops')).split('\n').length;
    expect(out.problems[0]!.line).toBe(badLine);
    expect(out.problems[0]!.message).toMatch(/^list\.json:\d+: malformed JSON .*in the item that starts at line \d+; this item was skipped, the rest of the file was read/);
    // The in-memory parser can only skip the whole file.
    const mem = fresh();
    const dir = tmp();
    writeFileSync(join(dir, 'list.json'), text);
    await readOne(join(dir, 'list.json'), 'list.json', mem, undefined, Number.MAX_SAFE_INTEGER);
    expect(mem.objects).toEqual([]);
  });

  it('JSON: a bundle object that is not valid JSON is skipped, the bundle is kept', async () => {
    const text = `{"schema":"eks-soc2/snapshot@1","createdAt":"2026-11-26T00:00:00.000Z","cluster":{},"collector":{"tool":"eks-soc2","version":"0.1.0"},"kubernetes":{"source":"live","complete":true,"kinds":{},"objects":[\n${JSON.stringify(pod('a'))},\n{"apiVersion":"v1",,"kind":"Pod"},\n${JSON.stringify(pod('c'))}\n]},"aws":{"source":"none","calls":{},"facts":[]},"tools":[],"gaps":[]}`;
    const out = fresh();
    await parseManifestStream(Readable.from([Buffer.from(text)]), 'b.json', out);
    expect(out.bundles[0]!.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['a', 'c']);
    expect(out.problems.map((p) => p.line)).toEqual([3]);
  });

  it('JSON: a truncated List keeps the items read before the cut', async () => {
    const text = `{"apiVersion":"v1","items":[\n${JSON.stringify(pod('a'))},\n${JSON.stringify(pod('b')).slice(0, 40)}`;
    const out = fresh();
    await parseManifestStream(Readable.from([Buffer.from(text)]), 'cut.json', out);
    expect(out.objects.map((o) => o.metadata.name)).toEqual(['a']);
    expect(out.problems[0]!.message).toMatch(/unexpected end of JSON input \(the item that starts at line 3 is not closed\)/);
  });

  it('YAML: a bad List item and a bad document are reported with their lines, the rest is read', async () => {
    const text = 'apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b\n    bad: [\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: c}\nkind: List\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n  bad: [\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n';
    const out = fresh();
    await parseManifestStream(Readable.from([Buffer.from(text)]), 'p.yaml', out);
    expect(out.objects.map((o) => [o.metadata.name, o.$source?.line])).toEqual([['a', 3], ['c', 10], ['ok', 20]]);
    expect(out.problems.map((p) => p.reason)).toEqual(['parse-error', 'parse-error']);
    expect(out.problems[0]!.line).toBeGreaterThanOrEqual(6);
    expect(out.problems[0]!.line).toBeLessThan(10);
    expect(out.problems[1]!.line).toBeGreaterThanOrEqual(15);
    expect(out.problems[1]!.line).toBeLessThan(20);
  });

  it('corrupt gzip after the threshold: what was read is kept and the corruption reported', async () => {
    const items = Array.from({ length: 200 }, (_, i) => pod(`p${i}`));
    const gz = gzipSync(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const broken = Buffer.concat([gz.subarray(0, Math.floor(gz.length / 2)), Buffer.alloc(64, 7)]);
    const dir = tmp();
    writeFileSync(join(dir, 'x.json.gz'), broken);
    const out = fresh();
    await readOne(join(dir, 'x.json.gz'), 'x.json.gz', out, undefined, 1);
    expect(out.problems.some((p) => /gzip data is corrupt/.test(p.message))).toBe(true);
  });

  it('a JSON stream reader stops at garbage after the value', () => {
    const out: ParsedInput = fresh();
    const { problems } = out;
    const r = new JsonStreamReader('g.json', out);
    r.push(Buffer.from('{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n"}}\nxyz'));
    r.end();
    expect(out.objects.map((o) => o.metadata.name)).toEqual(['n']);
    expect(problems[0]!.message).toMatch(/g\.json:2: malformed JSON \(unexpected "x" after the end of the JSON value\)/);
  });
});

describe('collectFiles with a low stream threshold', () => {
  it('gives the same snapshot as the in-memory path for a directory of inputs and stdin', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata: {name: s, namespace: a}\n');
    writeFileSync(join(dir, 'b.json.gz'), gzipSync(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [pod('p1'), pod('p2')] }, null, 1)));
    const opts = { toolVersion: '0.0.0', cwd: dir };
    const mem = await collectFiles([dir], { ...opts, streamThreshold: Number.MAX_SAFE_INTEGER });
    const str = await collectFiles([dir], { ...opts, streamThreshold: 1 });
    expect(str.kubernetes.objects).toEqual(mem.kubernetes.objects);
    expect(str.kubernetes.kinds).toEqual(mem.kubernetes.kinds);
    expect(str.gaps).toEqual(mem.gaps);
    const viaStdin = await collectFiles(['-'], { ...opts, streamThreshold: 10, stdin: Readable.from([Buffer.from(JSON.stringify([pod('s1'), pod('s2')]))]) });
    expect(viaStdin.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['s1', 's2']);
  });

  it('reports an unreadable file and a binary file the same way on both paths', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bin.json'), Buffer.from([0x7b, 0, 1, 2, 3]));
    for (const streamThreshold of [1, Number.MAX_SAFE_INTEGER]) {
      const s = await collectFiles([join(dir, 'bin.json'), join(dir, 'missing.json')], { toolVersion: '0', cwd: dir, streamThreshold });
      expect(s.gaps.map((g) => g.reason)).toEqual(['not-found', 'invalid']);
    }
  });
});
