// Hostile and malformed inputs to the file reader (issue 18): every one is an input problem naming
// the file (and line), the rest of the input is read, and no control passes on what was not read.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { collectFiles, readOne } from '../../../src/collectors/files/read.js';
import type { ParsedInput } from '../../../src/collectors/files/parse.js';
import { MAX_PROBLEMS_PER_FILE } from '../../../src/collectors/files/parse.js';
import { lines, parseManifestStream } from '../../../src/collectors/files/stream.js';
import { MAX_DOCUMENT_BYTES, MAX_LINE_BYTES, ObjectBudgetExceeded, resetObjectBudget } from '../../../src/collectors/limits.js';
import { MAX_DEPTH } from '../../../src/collectors/shape.js';
import { defaultConfig } from '../../../src/model/index.js';
import type { Snapshot } from '../../../src/model/index.js';
import { evaluate } from '../../../src/engine/index.js';
import { catalog } from '../../../src/catalog/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-hostile-'));
const write = (name: string, text: string | Buffer) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const fresh = (): ParsedInput => ({ objects: [], problems: [], bundles: [] });
const read = (...files: string[]) => collectFiles(files, { toolVersion: 'test', cwd: dir });
const verdict = (snap: Snapshot, control: string) =>
  evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 'test', catalogVersion: 'test', controls: [control] }).controls[0]!;

const privileged = `apiVersion: v1
kind: Pod
metadata: { name: priv, namespace: app }
spec:
  containers:
    - name: c
      image: x
      securityContext: { privileged: true }
`;

describe('objects whose fields have the wrong type (issue 18 items 2, 5)', () => {
  it('containers as a mapping (a missing "-") or a string: an input problem with file and line; CC5-HARD-03 cannot pass', async () => {
    const f = write('map.yaml', `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: app }
spec:
  template:
    spec:
      containers:
        name: c
        image: x
        securityContext: { privileged: true }
---
apiVersion: v1
kind: Pod
metadata: { name: str, namespace: app }
spec: { containers: "c" }
`);
    const snap = await read(f);
    expect(snap.kubernetes.objects).toEqual([]);
    expect(snap.gaps.map((g) => [g.reason, g.key, g.line])).toEqual([['invalid', 'apps/Deployment', 1], ['invalid', 'core/Pod', 12]]);
    expect(snap.gaps[0]!.message).toBe('map.yaml:1: Deployment app/web: spec.template.spec.containers is a mapping, not a list; not evaluated, as the API server would refuse it (apps/Deployment cannot pass until it is fixed)');
    expect(snap.gaps[1]!.message).toMatch(/^map\.yaml:12: Pod app\/str: spec\.containers is the string "c", not a list/);
    expect(snap.kubernetes.kinds['apps/Deployment']).toEqual({ state: 'error', count: 0 });
    const c = verdict(snap, 'CC5-HARD-03');
    expect(c.status).toBe('error');
    expect(c.evidence.missing.join(' ')).toMatch(/map\.yaml:1: Deployment app\/web/);
  });

  it('a well-formed privileged pod beside a malformed one still fails the control: missing evidence never hides a failure', async () => {
    const snap = await read(write('mixed.yaml', `${privileged}---\napiVersion: v1\nkind: Pod\nmetadata: { name: m, namespace: app }\nspec: { containers: { name: c } }\n`));
    expect(snap.kubernetes.kinds['core/Pod']).toEqual({ state: 'partial', count: 1, detail: 'v1' });
    expect(verdict(snap, 'CC5-HARD-03').status).toBe('fail');
  });

  it('booleans and integers given as strings ("true", "0") are refused, not read as false', async () => {
    const snap = await read(write('strings.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: app }\nspec:\n  containers:\n    - name: c\n      image: x\n      securityContext: { privileged: "true", runAsUser: "0" }\n'));
    expect(snap.gaps[0]!.message).toMatch(/spec\.containers\[0\]\.securityContext\.privileged is the string "true", not true or false; spec\.containers\[0\]\.securityContext\.runAsUser is the string "0", not an integer/);
  });

  it('metadata.annotations that are not a mapping, in a manifest and in a bundle: reported with the file, never a crash', async () => {
    const m = write('ann.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c, namespace: app, annotations: "kubectl.kubernetes.io/last-applied-configuration" }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ok, annotations: [1, 2] }\n');
    const bundle = {
      schema: 'eks-soc2/snapshot@1', createdAt: '2026-11-26T00:00:00.000Z', cluster: {}, collector: { tool: 'eks-soc2', version: '0.1.0' },
      kubernetes: { source: 'live', complete: true, kinds: { 'core/Namespace': { state: 'collected', count: 2 } }, objects: [
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', annotations: 'x' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } },
      ] },
      aws: { source: 'none', calls: {}, facts: [] }, tools: [], gaps: [],
    };
    const b = write('bundle.json.gz', gzipSync(JSON.stringify(bundle)));
    const snap = await read(m, b);
    expect(snap.gaps.map((g) => g.message)).toEqual([
      expect.stringMatching(/^ann\.yaml:1: ConfigMap app\/c: metadata\.annotations is a string, not a mapping/),
      expect.stringMatching(/^ann\.yaml:5: Namespace ok: metadata\.annotations is a list, not a mapping/),
      expect.stringMatching(/^bundle\.json\.gz:1: snapshot bundle object 1: Namespace a: metadata\.annotations is the string "x", not a mapping/),
    ]);
    expect(snap.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['b']);
    expect(snap.kubernetes.kinds['core/Namespace']).toMatchObject({ state: 'partial', count: 1 });
  });
});

describe('files that cannot be read as manifests (issue 18 item 19)', () => {
  it('binary, UTF-16 without a byte-order mark and non-object documents are input problems; UTF-16 with one is decoded', async () => {
    const bin = write('bin.yaml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    const le = write('le.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('apiVersion: v1\nkind: Namespace\nmetadata: { name: utf16 }\n', 'utf16le')]));
    const bare = write('bare.yaml', Buffer.from('apiVersion: v1\nkind: Namespace\n', 'utf16le'));
    const scalar = write('scalar.yaml', 'just text\n');
    const snap = await read(bin, le, bare, scalar);
    expect(snap.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['utf16']);
    expect(snap.gaps.map((g) => [g.target, g.reason])).toEqual([['bin.yaml', 'invalid'], ['bare.yaml', 'invalid'], ['scalar.yaml', 'invalid']]);
    expect(snap.gaps[0]!.message).toMatch(/binary file \(or UTF-16 without a byte-order mark\)/);
    expect(snap.gaps[2]!.message).toMatch(/document is a string, not a Kubernetes object/);
  });

  it('a file that is not Kubernetes at all (a values file) is reported and skipped, not an input problem', async () => {
    const snap = await read(write('values.yaml', 'replicaCount: 2\nimage: { repository: nginx }\n'));
    expect(snap.gaps.map((g) => g.reason)).toEqual(['skipped']);
  });

  it('endless bad documents: only the first problems are listed, then one line with the count', async () => {
    const snap = await read(write('many.yaml', Array.from({ length: 500 }, () => '- 1\n').join('---\n')));
    expect(snap.gaps).toHaveLength(MAX_PROBLEMS_PER_FILE + 1);
    expect(snap.gaps.at(-1)!.message).toBe(`many.yaml: 450 more problem(s) in this file are not listed (only the first ${MAX_PROBLEMS_PER_FILE} are)`);
    expect(snap.gaps.at(-1)!.reason).toBe('invalid');
  });
});

describe('huge single lines and documents (issue 18 item 8)', () => {
  const big = (n: number) => 'x'.repeat(n);

  it('a one-line YAML longer than the line limit, read as a stream: refused with its line, in bounded memory, the rest read', async () => {
    // Pieces of 1 MiB, as the file reader delivers them; the long line is never joined.
    const parts = [Buffer.from(`${privileged}---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: big }\ndata: { a: "`)];
    const chunk = Buffer.from(big(2 ** 20));
    for (let i = 0; i < MAX_LINE_BYTES / 2 ** 20 + 2; i++) parts.push(chunk);
    parts.push(Buffer.from(`" }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: after }\n`));
    const out = fresh();
    await parseManifestStream(Readable.from(parts), 'huge.yaml', out);
    expect(out.objects.map((o) => o.metadata.name)).toEqual(['priv', 'after']);
    expect(out.problems.map((p) => [p.reason, p.line])).toEqual([['invalid', 13]]);
    expect(out.problems[0]!.message).toMatch(/^huge\.yaml:13: line 13 is longer than 8 MiB .*this document was skipped, the rest of the file was read/);
  });

  it('the line splitter never holds more than the line limit', async () => {
    const seen: (string | null)[] = [];
    const parts = Array.from({ length: MAX_LINE_BYTES / 2 ** 20 + 3 }, () => Buffer.alloc(2 ** 20, 0x61));
    for await (const l of lines(Readable.from([...parts, Buffer.from('\nok\n')]))) seen.push(l === null ? null : l.slice(0, 10));
    expect(seen).toEqual([null, 'ok']);
  });

  it('a YAML document larger than the document limit, in memory or streamed: refused, the rest read', async () => {
    const doc = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big }\ndata:\n${Array.from({ length: MAX_DOCUMENT_BYTES / 2 ** 16 + 2 }, (_, i) => `  k${i}: "${big(2 ** 16)}"\n`).join('')}`;
    const text = `${doc}---\napiVersion: v1\nkind: Namespace\nmetadata: { name: after }\n`;
    const f = write('doc.yaml', text);
    for (const threshold of [Number.MAX_SAFE_INTEGER, 1]) {
      const out = fresh();
      await readOne(f, 'doc.yaml', out, undefined, threshold);
      expect(out.objects.map((o) => o.metadata.name)).toEqual(['after']);
      expect(out.problems).toHaveLength(1);
      expect(out.problems[0]!.message).toMatch(/the document is larger than 32 MiB/);
    }
  });

  it('a one-line JSON value with a string of hundreds of MB: refused once past the envelope limit, nothing crashes', async () => {
    async function* gen() {
      yield Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":"');
      const mb = Buffer.alloc(2 ** 20, 0x61);
      for (let i = 0; i < 300; i++) yield mb;
      yield Buffer.from('"}}');
    }
    const out = fresh();
    await parseManifestStream(gen(), 'one-line.json', out);
    expect(out.objects).toEqual([]);
    expect(out.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^one-line\.json:1: malformed JSON \(the document is larger than 256 MiB outside its list of items/)]);
  });

  it('a List item larger than the document limit is skipped, the other items kept', async () => {
    async function* gen() {
      yield Buffer.from('{"kind":"List","apiVersion":"v1","items":[\n{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}},\n{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"');
      const mb = Buffer.alloc(2 ** 20, 0x61);
      for (let i = 0; i < MAX_DOCUMENT_BYTES / 2 ** 20 + 1; i++) yield mb;
      yield Buffer.from('"}},\n{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"b"}}]}\n');
    }
    const out = fresh();
    await parseManifestStream(gen(), 'list.json', out);
    expect(out.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(out.problems.map((p) => [p.reason, p.line])).toEqual([['invalid', 3]]);
  });
});

describe('deep nesting (issue 18 item 13)', () => {
  it(`an object nested more than ${MAX_DEPTH} levels deep is refused up front, JSON or YAML, object or tool report`, async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const json = write('deep.json', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', labels: {} }, data: {} }).replace('"data":{}', `"extra":${deep(6000)}`));
    const yaml = write('deep.yaml', `apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\nspec: { x: ${deep(6000)} }\n`);
    const tool = write('tool.json', `{"Controls":${deep(6000)}}`);
    const snap = await read(json, yaml, tool);
    expect(snap.kubernetes.objects).toEqual([]);
    expect(snap.tools).toEqual([]);
    expect(snap.gaps.map((g) => g.target)).toEqual(['deep.json', 'deep.yaml', 'tool.json']);
    for (const g of snap.gaps) expect(g.message).toMatch(new RegExp(`nested more than ${MAX_DEPTH} levels deep|could not be read|malformed`));
    expect(snap.gaps.some((g) => /nested more than 512 levels deep/.test(g.message))).toBe(true);
  });
});

describe('the object budget (issue 18 item 9)', () => {
  afterEach(() => {
    delete process.env.EKS_SOC2_MAX_OBJECTS;
    resetObjectBudget();
  });

  it('counts objects as they stream and stops with a clear error past the budget', async () => {
    process.env.EKS_SOC2_MAX_OBJECTS = '5000';
    resetObjectBudget();
    async function* endless() {
      yield Buffer.from('{"apiVersion":"v1","kind":"PodList","items":[');
      for (let i = 0; ; i++) yield Buffer.from(`${i ? ',' : ''}{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n${i}"}}`);
    }
    const err = await parseManifestStream(endless(), '<stdin>', fresh()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ObjectBudgetExceeded);
    expect((err as Error).message).toMatch(/^<stdin>: more than 5,000 Kubernetes objects, the most this run can evaluate in its [\d,]+ MiB heap; stopped reading before memory ran out$/);
    expect((err as ObjectBudgetExceeded).fix).toMatch(/EKS_SOC2_HEAP_MB/);
  });

  it('YAML streams too', async () => {
    process.env.EKS_SOC2_MAX_OBJECTS = '3000';
    resetObjectBudget();
    async function* endless() {
      yield Buffer.from('apiVersion: v1\nkind: List\nitems:\n');
      for (let i = 0; ; i++) yield Buffer.from(`- apiVersion: v1\n  kind: Namespace\n  metadata: { name: n${i} }\n`);
    }
    await expect(parseManifestStream(endless(), '<stdin>', fresh())).rejects.toThrow(ObjectBudgetExceeded);
  });
});
