import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { collectFiles } from '../../../src/collectors/files/read.js';
import { jsonItemOffsets, parseManifestText, splitYamlDocuments } from '../../../src/collectors/files/parse.js';
import { REDACTED } from '../../../src/collectors/sanitize.js';
import { emptySnapshot } from '../../../src/model/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-files-'));
const parse = (text: string) => parseManifestText(text, 'in.yaml');

const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n`;

describe('YAML documents', () => {
  it('reads every good document and reports a malformed one with its line', () => {
    const r = parse(`${cm('a')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\n  bad: [\n---\n${cm('c')}`);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'c']);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.message).toMatch(/^in\.yaml:\d+: malformed YAML/);
    expect(r.problems[0]!.line).toBeGreaterThanOrEqual(7);
    expect(r.objects[1]!.$source).toEqual({ file: 'in.yaml', line: 12 });
  });

  it('points at the apiVersion line of Helm output, past "# Source:" comments', () => {
    const r = parse(`---\n# Source: chart/templates/cm.yaml\n${cm('a')}---\n# Source: chart/templates/cm2.yaml\n\n${cm('b')}`);
    expect(r.objects.map((o) => o.$source?.line)).toEqual([3, 11]);
  });

  it('handles "--- content" on the marker line, "..." ends, CRLF and a BOM', () => {
    expect([...splitYamlDocuments('a: 1\n--- {b: 2}\n...\nc: 3\n')].map((d) => d.line)).toEqual([1, 2, 4]);
    const r = parse(`\ufeff${cm('a').replace(/\n/g, '\r\n')}---\r\n${cm('b').replace(/\n/g, '\r\n')}`);
    expect(r.problems).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('expands Lists and *Lists (kubectl get -o yaml) with a line per item', () => {
    const r = parse(`apiVersion: v1\nkind: List\nitems:\n- ${cm('a').replace(/\n(?=.)/g, '\n  ')}- ${cm('b').replace(/\n(?=.)/g, '\n  ')}metadata:\n  resourceVersion: ""\n`);
    expect(r.problems).toEqual([]);
    expect(r.objects.map((o) => [o.metadata.name, o.$source?.line])).toEqual([['a', 4], ['b', 9]]);
  });

  it('reports scalars, lists and objects without apiVersion/kind, and keeps unknown kinds and CRDs', () => {
    const r = parse('just a string\n---\n- 1\n- 2\n---\nfoo: bar\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\n');
    // A scalar or a list cannot be read at all (an input problem); a mapping with neither apiVersion
    // nor kind is some other file (a values file, a policy): reported and skipped.
    expect(r.problems.map((p) => p.reason)).toEqual(['invalid', 'invalid', 'skipped']);
    expect(r.objects.map((o) => o.kind)).toEqual(['Widget', 'CustomResourceDefinition']);
  });

  it('bounds alias expansion (billion laughs) instead of hanging', () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) lol.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = parse(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n${lol.join('\n')}\n`);
    expect(r.objects).toHaveLength(0);
    expect(r.problems[0]!.message).toMatch(/could not be read|alias/i);
  });
});

describe('JSON', () => {
  it('reads a List with a line per item, and arrays of objects', () => {
    const text = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a "}' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }] }, null, 2);
    const r = parseManifestText(text, 'pods.json');
    expect(r.objects.map((o) => [o.metadata.name, o.$source?.line])).toEqual([['a "}', 5], ['b', 12]]);
    expect(jsonItemOffsets('{"kind":"List","items":[1, "x]", {"a":[1,2]}],"z":[3]}').length).toBe(3);
    expect(parseManifestText('[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p"}}]', 'a.json').objects).toHaveLength(1);
  });

  it('gives every item of a compact (one-line) List line 1, and counts lines in a List with items on lines of their own', () => {
    const items = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a\\n' } }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }];
    const compact = `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items })}\n`;
    expect(parseManifestText(compact, 'c.json').objects.map((o) => [o.metadata.name, o.$source?.line])).toEqual([['a\\n', 1], ['b', 1]]);
    const lined = `{"apiVersion":"v1","kind":"List","items":[\n${items.map((i) => JSON.stringify(i)).join(',\n\n')}\n]}`;
    expect(parseManifestText(lined, 'l.json').objects.map((o) => o.$source?.line)).toEqual([2, 4]);
  });

  it('reports malformed JSON with a line and reads nothing from it', () => {
    const r = parseManifestText('{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  oops\n}', 'bad.json');
    expect(r.objects).toEqual([]);
    expect(r.problems[0]!.message).toMatch(/^bad\.json:4: malformed JSON/);
  });

  it('accepts flow-style YAML that starts with a brace', () => {
    const r = parseManifestText("{apiVersion: v1, kind: Namespace, metadata: {name: x}}", 'flow.yaml');
    expect(r.problems).toEqual([]);
    expect(r.objects[0]!.kind).toBe('Namespace');
  });
});

describe('secrets never enter the snapshot', () => {
  it('keeps Secrets metadata-only, drops last-applied and managedFields, redacts credential env values', () => {
    const r = parse(`apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: app
  annotations: { kubectl.kubernetes.io/last-applied-configuration: '{"data":{"password":"aHVudGVyMg=="}}' }
  managedFields: [{ manager: kubectl }]
type: Opaque
data: { password: aHVudGVyMg== }
stringData: { token: hunter2 }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: d, namespace: app, annotations: { kubectl.kubernetes.io/last-applied-configuration: 'x', keep: 'y' } }
spec:
  template:
    spec:
      containers:
        - name: c
          image: x:1
          env:
            - { name: DB_PASSWORD, value: hunter2 }
            - { name: API_TOKEN, value: abc }
            - { name: LOG_LEVEL, value: debug }
            - { name: FROM_SECRET, valueFrom: { secretKeyRef: { name: db, key: password } } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config, namespace: app }
data: { DATABASE_URL: "postgres://u:p@h/db" }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: aws-auth, namespace: kube-system }
data: { mapRoles: "- rolearn: arn:aws:iam::1:role/x" }
`);
    const [secret, dep, cmApp, awsAuth] = r.objects;
    expect(JSON.stringify(secret)).not.toContain('aHVudGVyMg');
    expect(JSON.stringify(secret)).not.toContain('hunter2');
    expect(secret).toMatchObject({ kind: 'Secret', type: 'Opaque' });
    expect(secret!.metadata.annotations).toEqual({});
    expect(secret!.metadata.managedFields).toBeUndefined();
    expect(dep!.metadata.annotations).toEqual({ keep: 'y' });
    const env = (dep as unknown as { spec: { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } } }).spec.template.spec.containers[0]!.env;
    expect(env.map((e) => e.value)).toEqual([REDACTED, REDACTED, 'debug', undefined]);
    expect(cmApp!.data).toEqual({});
    expect(awsAuth!.data).toEqual({ mapRoles: '- rolearn: arn:aws:iam::1:role/x' });
  });

  it('keeps of a falco.yaml only which outputs are enabled: never its URLs, programs or keys', () => {
    const falcoYaml = [
      'rules_files: [/etc/falco/falco_rules.yaml]',
      'json_output: true',
      'stdout_output: { enabled: true }',
      'http_output:',
      '  enabled: true',
      '  url: https://user:hunter2@siem.example/falco',
      '  client_key: /etc/ssl/key.pem',
      'program_output: { enabled: false, program: "curl -H \'Authorization: Bearer abc123\' https://x" }',
      'grpc: { enabled: false, bind_address: "unix:///run/falco/falco.sock" }',
    ].join('\n');
    const r = parse(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: falco, namespace: security }\ndata:\n  falco.yaml: ${JSON.stringify(falcoYaml)}\n  other.txt: secret-ish\n`);
    const data = r.objects[0]!.data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['falco.yaml']);
    const text = data['falco.yaml']!;
    for (const leaked of ['hunter2', 'abc123', 'key.pem', 'siem.example', 'falco.sock', 'rules_files', 'secret-ish']) expect(text).not.toContain(leaked);
    expect(JSON.parse(text.replace(/^#.*\n/, ''))).toEqual({
      stdout_output: { enabled: true }, http_output: { enabled: true }, program_output: { enabled: false }, grpc: { enabled: false }, json_output: true,
    });
    // Sanitizing twice (a bundle scanned again) keeps it as it is.
    expect(parse(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: falco, namespace: security }\ndata:\n  falco.yaml: ${JSON.stringify(text)}\n`).objects[0]!.data).toEqual({ 'falco.yaml': text });
    // Not YAML: withheld entirely.
    expect(parse('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: falco, namespace: security }\ndata:\n  falco.yaml: "http_output: [unclosed"\n').objects[0]!.data).toEqual({});
  });
});

describe('collectFiles', () => {
  it('walks directories, skips non-manifests and .git, reads .json.gz, and reports what it cannot read', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    writeFileSync(join(dir, 'a.yaml'), cm('a'));
    writeFileSync(join(dir, 'sub', 'b.yml'), cm('b'));
    writeFileSync(join(dir, 'sub', 'deeper', 'c.json.gz'), gzipSync(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } })));
    writeFileSync(join(dir, 'README.md'), '# not a manifest');
    writeFileSync(join(dir, '.git', 'x.yaml'), cm('git'));
    writeFileSync(join(dir, 'empty.yaml'), '\n\n');
    writeFileSync(join(dir, 'binary.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
    writeFileSync(join(dir, 'corrupt.json.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    const snap = await collectFiles([dir, join(dir, 'missing.yaml')], { toolVersion: 't', cwd: dir });
    expect(snap.kubernetes.objects.map((o) => o.metadata.name).sort()).toEqual(['a', 'b', 'c']);
    expect(snap.kubernetes.source).toBe('files');
    expect(snap.kubernetes.kinds['core/ConfigMap']).toMatchObject({ state: 'collected', count: 3 });
    const msgs = snap.gaps.map((g) => g.message).join('\n');
    expect(msgs).toMatch(/empty\.yaml: file is empty/);
    expect(msgs).toMatch(/binary\.yaml: binary file/);
    expect(msgs).toMatch(/corrupt\.json\.gz: gzip data is corrupt/);
    expect(msgs).toMatch(/missing\.yaml: no such file or directory/);
    expect(snap.kubernetes.objects.find((o) => o.metadata.name === 'b')!.$source).toEqual({ file: join('sub', 'b.yml'), line: 1 });
  });

  it('follows symbolic links to files and directories, reads a looped directory once, and reports a dangling link', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'real', 'a.yaml'), cm('a'));
    symlinkSync(join(dir, 'real', 'a.yaml'), join(dir, 'tree', 'linked.yaml'));     // a file through a link (ConfigMap volumes)
    symlinkSync(join(dir, 'real'), join(dir, 'tree', 'linked-dir'));                // a directory through a link
    symlinkSync(join(dir, 'tree'), join(dir, 'tree', 'sub', 'loop'));              // a loop back up the tree
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'tree', 'dangling.yaml'));        // a link to nothing
    const snap = await collectFiles([join(dir, 'tree')], { toolVersion: 't', cwd: dir });
    expect(snap.kubernetes.objects.map((o) => o.$source?.file).sort()).toEqual([join('tree', 'linked-dir', 'a.yaml'), join('tree', 'linked.yaml')]);
    const msgs = snap.gaps.map((g) => `${g.reason}: ${g.message}`).join('\n');
    expect(msgs).toMatch(/skipped: \S*loop: a symbolic link to a directory already read/);
    expect(msgs).toMatch(/not-found: \S*dangling\.yaml: a symbolic link to nothing/);
  });

  it('reads stdin with -', async () => {
    const snap = await collectFiles(['-'], { toolVersion: 't', stdin: Readable.from([cm('from-stdin')]) });
    expect(snap.kubernetes.objects[0]!.metadata.name).toBe('from-stdin');
    expect(snap.kubernetes.objects[0]!.$source?.file).toBe('<stdin>');
  });

  it('merges an exported snapshot bundle (gz) with loose files, and rejects newer or invalid bundles', async () => {
    const dir = tmp();
    const bundle = emptySnapshot('0.0.1');
    bundle.cluster = { name: 'prod' };
    bundle.kubernetes = { source: 'live', complete: false, kinds: { 'core/Namespace': { state: 'collected', count: 1 }, 'core/Pod': { state: 'denied', count: 0 } }, objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1' } }] };
    bundle.aws = { source: 'live', calls: { 'eks:DescribeCluster': { state: 'collected', count: 1 } }, facts: [{ service: 'eks', operation: 'DescribeCluster', output: { cluster: { name: 'prod' } } }] };
    writeFileSync(join(dir, 'snap.json.gz'), gzipSync(JSON.stringify(bundle)));
    writeFileSync(join(dir, 'extra.yaml'), cm('x'));
    writeFileSync(join(dir, 'future.json'), JSON.stringify({ ...bundle, schema: 'eks-soc2/snapshot@9' }));
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ ...bundle, kubernetes: { ...bundle.kubernetes, objects: [{ nope: 1 }] } }));
    const snap = await collectFiles([dir], { toolVersion: 't', cwd: dir });
    expect(snap.cluster.name).toBe('prod');
    expect(snap.kubernetes.source).toBe('live');
    expect(snap.kubernetes.kinds['core/Pod']!.state).toBe('denied');
    expect(snap.kubernetes.objects.map((o) => o.metadata.name).sort()).toEqual(['ns1', 'x']);
    expect(snap.aws.facts).toHaveLength(1);
    const msgs = snap.gaps.map((g) => g.message).join('\n');
    expect(msgs).toMatch(/future\.json:1: snapshot bundle format eks-soc2\/snapshot@9 is newer/);
    expect(msgs).toMatch(/broken\.json:1: snapshot bundle is not valid/);
  });

  it('reads a 50 MB multi-document manifest', async () => {
    const dir = tmp();
    const doc = (i: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n  namespace: ns-${i % 50}\n  labels: {app: a${i}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: a${i}}}\n  template:\n    metadata: {labels: {app: a${i}}}\n    spec:\n      containers:\n        - name: c\n          image: repo/img:${i}\n          env: [{name: A, value: "1"}, {name: B, value: "2"}]\n          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n          securityContext: {runAsNonRoot: true, readOnlyRootFilesystem: true}\n---\n`;
    const parts: string[] = [];
    let size = 0;
    let n = 0;
    while (size < 50 * 1024 * 1024) { const d = doc(n++); parts.push(d); size += d.length; }
    writeFileSync(join(dir, 'big.yaml'), parts.join(''));
    const snap = await collectFiles([join(dir, 'big.yaml')], { toolVersion: 't' });
    expect(snap.gaps).toEqual([]);
    expect(snap.kubernetes.objects).toHaveLength(n);
    expect(snap.kubernetes.objects[n - 1]!.$source!.line).toBe((n - 1) * 19 + 1);
  }, 120_000);
});

describe('tool reports and other non-Kubernetes inputs', () => {
  it('ingests kube-bench JSON (object and array forms) and Falco JSON lines as tool evidence', () => {
    const kb = { Controls: [{ id: '3', version: 'eks-1.5.0', text: 'Worker Node', tests: [{ section: '3.1', pass: 3, fail: 1, results: [] }] }], Totals: { total_pass: 3, total_fail: 1 } };
    expect(parseManifestText(JSON.stringify(kb), 'kb.json').tools?.[0]?.tool).toBe('kube-bench');
    expect(parseManifestText(JSON.stringify(kb.Controls), 'kb2.json').tools?.[0]?.tool).toBe('kube-bench');
    const falco = ['{"output":"x","priority":"Warning","rule":"r1","time":"2026-01-01T00:00:00Z"}', '{"output":"y","priority":"Critical","rule":"r2","time":"2026-01-01T00:00:01Z"}'].join('\n');
    const r = parseManifestText(falco, 'falco.json');
    expect(r.problems).toEqual([]);
    expect(r.tools?.map((t) => t.tool)).toEqual(['falco', 'falco']);
  });

  it('recognises AWS CLI output and tells the user to pass it with --aws-evidence', () => {
    const r = parseManifestText(JSON.stringify({ cluster: { name: 'prod', arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod' } }), 'describe.json');
    expect(r.problems[0]!.message).toMatch(/AWS CLI output \(aws eks describe-cluster\)/);
    expect(r.problems[0]!.fix).toMatch(/--aws-evidence/);
  });

  it('merges one tool report per file in the snapshot', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'falco.json'), ['{"output":"x","priority":"Warning","rule":"r1","time":"t"}', '{"output":"y","priority":"Warning","rule":"r1","time":"t"}'].join('\n'));
    const snap = await collectFiles([dir], { toolVersion: 't', cwd: dir });
    expect(snap.tools).toHaveLength(1);
    expect(snap.tools[0]!.data).toHaveLength(2);
  });
});

describe('kinds under a group that does not serve them', () => {
  it('evaluates extensions/v1beta1 and v1 Deployments as apps/v1 and reports the manifest', async () => {
    const spec = 'spec: {selector: {matchLabels: {app: a}}, template: {spec: {containers: [{name: c, image: x}]}}}';
    const r = parseManifestText(`apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\n${spec}\n---\napiVersion: v1\nkind: Deployment\nmetadata: {name: wrong}\n${spec}\n`, 'legacy.yaml');
    expect(r.objects).toHaveLength(2);
    expect(r.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^legacy\.yaml:1: Deployment old: apiVersion extensions\/v1beta1 does not serve Deployment .* evaluated as apps\/v1/),
      expect.stringMatching(/^legacy\.yaml:6: Deployment wrong: apiVersion v1 does not serve Deployment/),
    ]);
    const { kindKey } = await import('../../../src/model/index.js');
    expect(kindKey('extensions/v1beta1', 'Deployment')).toBe('apps/Deployment');
    expect(kindKey('extensions/v1beta1', 'Ingress')).toBe('networking.k8s.io/Ingress');
    expect(kindKey('apps/v1beta2', 'Deployment')).toBe('apps/Deployment');
  });
});

describe('template sources found while walking directories', () => {
  it('skips a Helm chart and a kustomize directory with how to scan their output, and reads the rest', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: x\nversion: 0.1.0\n');
    writeFileSync(join(dir, 'chart', 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n');
    mkdirSync(join(dir, 'overlay'));
    writeFileSync(join(dir, 'overlay', 'kustomization.yaml'), 'resources: [../base]\npatches: [{ path: patch.yaml }]\n');
    writeFileSync(join(dir, 'overlay', 'patch.yaml'), 'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: x }\n');
    writeFileSync(join(dir, 'plain.yaml'), cm('plain'));
    const snap = await collectFiles([dir], { toolVersion: 't', cwd: dir });
    expect(snap.kubernetes.objects.map((o) => o.metadata.name)).toEqual(['plain']);
    const skipped = snap.gaps.filter((g) => g.reason === 'skipped');
    expect(skipped.map((g) => g.fix)).toEqual([`helm template ${join(dir, 'chart')} | eks-soc2 scan -f -`, `kubectl kustomize ${join(dir, 'overlay')} | eks-soc2 scan -f -`]);
    expect(snap.gaps.filter((g) => g.reason !== 'skipped')).toEqual([]);
  });
});

describe('scope', () => {
  it('drops a namespace set on a cluster-scoped object, as the API server does', () => {
    const r = parse('apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: { name: x, namespace: test }\nrules: []\n');
    expect(r.objects[0]!.metadata.namespace).toBeUndefined();
  });
});
