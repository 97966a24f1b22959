import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { RunResult } from '../../src/model/index.js';
import { fromWire } from '../../src/model/index.js';

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-cli-'));
const write = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };

const goodPod = `apiVersion: v1
kind: Pod
metadata: { name: good, namespace: app }
spec:
  securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
  containers:
    - name: c
      image: repo/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
      resources: { requests: { cpu: 10m, memory: 16Mi }, limits: { memory: 32Mi } }
`;
const badPod = `apiVersion: v1
kind: Pod
metadata: { name: bad, namespace: app }
spec: { containers: [{ name: c, image: "nginx", securityContext: { privileged: true } }] }
`;

describe('eks-soc2 scan', () => {
  it('--demo evaluates the built-in environment and exits 1 on its failures', async () => {
    const r = await runCli(['scan', '--demo']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/acme-prod/);
    expect(r.stdout).toMatch(/Summary/);
    expect(r.code).toBe(1);
  });

  it('exits 0 when every evaluated control passes (a file scan of one hardened pod, CC5-HARD-03)', async () => {
    const r = await runCli(['scan', '-f', write('good.yaml', goodPod), '--control', 'CC5-HARD-03']);
    expect(r.stdout).toMatch(/PASS\s+CC5-HARD-03/);
    expect(r.code).toBe(0);
  });

  it('--fail-on raises the bar: a medium-only failure passes --fail-on high', async () => {
    const rofs = goodPod.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    const f = write('rofs.yaml', rofs);
    expect((await runCli(['scan', '-f', f, '--control', 'CC5-HARD-03'])).code).toBe(1);
    expect((await runCli(['scan', '-f', f, '--control', 'CC5-HARD-03', '--fail-on', 'high'])).code).toBe(0);
    expect((await runCli(['scan', '-f', f, '--control', 'CC5-HARD-03', '--fail-on', 'never'])).code).toBe(0);
  });

  it('reports a malformed document with file and line, still evaluates the rest, and exits 2', async () => {
    const f = write('mixed.yaml', `${badPod}---\nkind: [oops\n`);
    const r = await runCli(['scan', '-f', f, '--control', 'CC5-HARD-03']);
    expect(r.stdout).toMatch(/FAIL\s+CC5-HARD-03/);
    expect(r.stdout).toMatch(/mixed\.yaml:\d+: malformed YAML .* in the document that starts at line 6/);
    expect(r.code).toBe(2);
  });

  it('reads stdin with -f -', async () => {
    const r = await runCli(['scan', '-f', '-', '--control', 'CC5-HARD-03', '--format', 'json'], { stdin: badPod });
    const run = fromWire(JSON.parse(r.stdout) as RunResult);
    expect(run.controls[0]!.findings.some((f) => f.status === 'fail' && f.resource.name === 'bad' && f.source?.file === '<stdin>')).toBe(true);
  });

  it('usage errors exit 2 with one clear message and no stack trace', async () => {
    const emptyDir = join(dir, 'empty-dir');
    mkdirSync(emptyDir, { recursive: true });
    const loopDir = join(dir, 'loop-dir');
    mkdirSync(loopDir, { recursive: true });
    if (!existsSync(join(loopDir, 'self'))) symlinkSync(loopDir, join(loopDir, 'self'));
    const fileInTheWay = write('file-in-the-way', 'x');
    for (const [args, msg] of [
      [['scan', '--kubeconfig', join(dir, 'no-kubeconfig')], /-f|--demo|kubeconfig/],
      [['scan', '--demo', '--control', 'CC0-NOPE-01'], /unknown control "CC0-NOPE-01"/],
      [['scan', '--demo', '--section', 'CC42'], /unknown section "CC42"/],
      [['scan', '--demo', '--format', 'docx'], /unknown format "docx"/],
      [['scan', '--demo', '--fail-on', 'sometimes'], /--fail-on must be one of/],
      [['scan', '--demo', '--format', 'json,terminal'], /add --output DIR/],
      [['scan', '-f', join(dir, 'nope.yaml')], /no readable input[\s\S]*no such file/],
      [['scan', '-f', emptyDir], /no input: nothing to evaluate in \S*empty-dir/],
      [['scan', '-f', loopDir], /no readable input[\s\S]*symbolic link to a directory already read/],
      [['scan', '--demo', '--format', 'json', '-o', join(fileInTheWay, 'out')], /cannot create the output directory \S*file-in-the-way\/out: ENOTDIR/],
      [['scan', '--demo', '--config', join(dir, 'nope.yaml')], /cannot read configuration file/],
    ] as const) {
      const r = await runCli([...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('rejects an invalid configuration naming the field', async () => {
    const cfg = write('bad-config.yaml', 'thresholds:\n  maxClusterAdmins: -1\nsurprise: true\n');
    const r = await runCli(['scan', '--demo', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid configuration/);
    expect(r.stderr).toMatch(/maxClusterAdmins/);
  });

  it('reports expired and invalid waivers (with line) and applies the valid one', async () => {
    const w = write('waivers.yaml', `waivers:
  - id: OK-1
    control: CC5-HARD-03
    resources: { namespace: app, name: bad }
    reason: legacy pod, replaced in Q1
    approvedBy: ciso@example.com
    expires: 2099-01-01
  - id: OLD-1
    control: CC5-HARD-03
    reason: old
    approvedBy: someone
    expires: 2020-01-01
  - id: BAD-1
    control: not-a-control
    reason: typo
    expires: tomorrow
`);
    const r = await runCli(['scan', '-f', write('bad.yaml', badPod), '--control', 'CC5-HARD-03', '--waivers', w, '--format', 'json']);
    const run = JSON.parse(r.stdout);
    expect(run.controls[0].status).toBe('waived');
    const problems = run.waivers.issues.map((i: { id?: string; problem: string; source?: { line?: number } }) => `${i.id}:${i.problem}:${i.source?.line}`);
    expect(problems).toContain('OLD-1:expired:8');
    expect(problems.some((p: string) => p.startsWith('BAD-1:invalid:13'))).toBe(true);
    const text = await runCli(['scan', '-f', join(dir, 'bad.yaml'), '--control', 'CC5-HARD-03', '--waivers', w]);
    expect(text.stdout).toMatch(/waiver problems \(2\), not applied/);
    expect(text.stdout).toMatch(/OLD-1 for CC5-HARD-03 expired on 2020-01-01/);
  });

  it('escapes hostile names from the cluster in terminal output', async () => {
    const hostile = `apiVersion: v1
kind: Pod
metadata: { name: "evil\\u001b[2J\\u001b]0;pwned\\u0007\\u202egnp.exe", namespace: app }
spec: { containers: [{ name: "c\\u001b[31m", image: "x" }] }
`;
    const r = await runCli(['scan', '-f', write('hostile.yaml', hostile), '--control', 'CC5-HARD-03']);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stdout).not.toMatch(/\u202e/);
    expect(r.stdout).not.toMatch(/\u0007/);
    expect(r.stdout).toMatch(/evil\\u001b\[2J/);
    expect(r.stdout).toMatch(/\\u202egnp\.exe/);
  });

  it('--version and --help work and are quick to load', async () => {
    const v = await runCli(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const h = await runCli(['scan', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Exit codes/);
  });
});

describe('eks-soc2 scan -f deploy/ (the tool\'s own deployment)', () => {
  it('reports no failing control and no input error: chart and kustomize sources are skipped, their rendered output scanned', async () => {
    const root = new URL('../../', import.meta.url).pathname;
    const r = await runCli(['scan', '-f', 'deploy/', '--no-aws', '--format', 'json'], { cwd: root });
    const run = JSON.parse(r.stdout);
    expect(run.controls.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string; message: string }) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(run.gaps.filter((g: { source: string; reason: string }) => g.source === 'files' && g.reason !== 'skipped')).toEqual([]);
    expect(run.gaps.filter((g: { reason: string }) => g.reason === 'skipped').length).toBeGreaterThanOrEqual(2);
    expect(r.code).not.toBe(1);
    expect(r.code).not.toBe(2);
  });
});

describe('eks-soc2 controls', () => {
  it('lists the catalog as JSON with the metadata of every control', async () => {
    const r = await runCli(['controls', '--format', 'json']);
    expect(r.code).toBe(0);
    const cat = JSON.parse(r.stdout);
    expect(cat.controls.length).toBeGreaterThan(0);
    for (const c of cat.controls) {
      expect(c.id).toMatch(/^(CC[3-9]|P1)-[A-Z]+-\d{2}$/);
      expect(c.owners.primary.length).toBeGreaterThan(0);
      expect(c.tsc.length).toBeGreaterThan(0);
      expect(c.remediation.summary.length).toBeGreaterThan(0);
    }
  });

  it('prints the reference as Markdown (per rule: level, severity, evidence read) and rejects an unknown format', async () => {
    const md = (await runCli(['controls', '--format', 'markdown'])).stdout;
    expect(md).toMatch(/^# Control reference\n/);
    expect(md).toContain('| rule | checks | level | severity | reads |');
    expect((await runCli(['controls', '--format', 'xml'])).code).toBe(2);
  });

  it('lists every rule with its level, severity and the evidence it reads (table and JSON)', async () => {
    const table = (await runCli(['controls', '--section', 'CC5'])).stdout;
    expect(table).toMatch(/^CC5-HARD-03 /m);
    expect(table).toMatch(/^ {2}[a-z0-9-]+ +(required|recommended)\?? +(critical|high|medium|low|info) +reads: /m);
    const cat = JSON.parse((await runCli(['controls', '--format', 'json'])).stdout) as { controls: { rules: Record<string, { level: string; severity: string; reads: string }> }[] };
    const rules = cat.controls.flatMap((c) => Object.values(c.rules));
    expect(rules.length).toBeGreaterThan(50);
    for (const r of rules) {
      expect(['required', 'recommended']).toContain(r.level);
      expect(r.reads.length).toBeGreaterThan(0);
    }
  });
});

describe('output to a closed pipe', () => {
  it('exits quietly when the reader goes away (scan --demo | head -1)', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'scan', '--demo', '--details', '--format', 'json'], { env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.stdout.once('data', () => child.stdout.destroy());
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at /);
  });
});

describe('eks-soc2 scan of a rendered Helm chart (helm template chart | eks-soc2 scan -f -)', () => {
  // What `helm template` prints for a chart that gives its app a wildcard ClusterRole: no Role or
  // RoleBinding kinds, no AWS side. The objects in the input are judged whatever else is missing.
  const chart = `---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata: { name: shop-api, namespace: shop }
---
# Source: shop/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: { name: shop-api }
rules:
  - apiGroups: ["*"]
    resources: ["*"]
    verbs: ["*"]
---
# Source: shop/templates/rbac.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: shop-api }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: shop-api }
subjects: [{ kind: ServiceAccount, name: shop-api, namespace: shop }]
`;
  it('exits 1 with the wildcard role and the cluster-admin binding in SARIF, each at its own line', async () => {
    const r = await runCli(['scan', '-f', '-', '--format', 'sarif', '--no-store'], { stdin: chart });
    expect(r.code, r.stderr).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const results = sarif.runs[0]!.results.map((x) => `${x.ruleId}@${x.locations[0]?.physicalLocation?.region.startLine}`);
    expect(results).toEqual(expect.arrayContaining(['CC5-IAM-03/rbac-wildcard@8', 'CC5-IAM-03/cluster-admin-binding@17', 'P1-IAM-03/cluster-admin-binding@17']));
  });
  it('the same chart with the binding scoped to the app\'s namespace and no wildcard passes the RBAC rules it can judge', async () => {
    const narrow = chart.replace('apiGroups: ["*"]\n    resources: ["*"]\n    verbs: ["*"]', 'apiGroups: [""]\n    resources: [configmaps]\n    verbs: [get]');
    const r = await runCli(['scan', '-f', '-', '--format', 'json', '--no-store', '--control', 'CC5-IAM-03'], { stdin: narrow });
    const run = JSON.parse(r.stdout) as { controls: { status: string; findings: { status: string }[] }[] };
    expect(run.controls[0]!.findings.filter((f) => f.status === 'fail')).toEqual([]);
    // not a pass: Roles, RoleBindings and the AWS side were not in the input
    expect(run.controls[0]!.status).toBe('error');
    expect(r.code).not.toBe(1);
  });
});

describe('store identity of file scans', () => {
  it('--name (or --cluster with --no-aws) keys a file scan in the store; different names get their own chains', async () => {
    const store = join(dir, 'names.db');
    const f = write('named.yaml', goodPod);
    for (const args of [['--name', 'shop-staging'], ['--cluster', 'shop-prod', '--no-aws'], ['--name', 'shop-staging']]) {
      const r = await runCli(['scan', '-f', f, '--control', 'CC5-HARD-03', '--store', store, '--quiet', ...args]);
      expect(r.code, r.stderr).toBe(0);
    }
    const h = await runCli(['history', '--store', store, '--format', 'json']);
    const clusters = (JSON.parse(h.stdout) as { clusters: { key: string; runs: number }[] }).clusters;
    expect(Object.fromEntries(clusters.map((c) => [c.key, c.runs]))).toEqual({ 'name:shop-staging': 2, 'name:shop-prod': 1 });
  });
});
