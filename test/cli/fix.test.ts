import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../src/cli/program.js';
import { catalog } from '../../src/catalog/index.js';
import { parseManifestText } from '../../src/collectors/files/parse.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { defaultConfig, emptySnapshot, kindKey } from '../../src/model/index.js';
import type { K8sObject } from '../../src/model/index.js';
import { startKubeApiServer } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';
import { KUSTOMIZE, kustomize } from '../helpers/kustomize-cli.js';

const FIXTURES = new URL('../fixtures/fix/manifests/', import.meta.url).pathname;

let stdout: string[];
let stderr: string[];
let server: KubeApiServer | undefined;
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { stdout.push(String(c)); return true; });
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { stderr.push(String(c)); return true; });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await server?.close();
  server = undefined;
});

const cli = (...args: string[]) => main(['node', 'eks-soc2', ...args]);
const tmp = () => mkdtempSync(join(tmpdir(), 'eks-soc2-fixcli-'));
const out = () => stdout.join('');

function copyFixtures(): string {
  const dir = tmp();
  cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

/** Evaluate objects as a file scan would (complete inventory). */
function evaluateText(text: string) {
  const parsed = parseManifestText(text, 'rendered.yaml');
  const snap = emptySnapshot('t');
  snap.kubernetes = { source: 'files', complete: true, kinds: {}, objects: parsed.objects };
  for (const o of parsed.objects) snap.kubernetes.kinds[kindKey(o.apiVersion, o.kind)] = { state: 'collected', count: 1 };
  return evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't' });
}

describe('eks-soc2 fix (files)', () => {
  it('prints a diff of the safe changes and changes nothing without --write', async () => {
    const dir = copyFixtures();
    const before = readFileSync(join(dir, 'storage.yaml'), 'utf8');
    const code = await cli('fix', '-f', dir, '--complete-inventory');
    expect(code).toBe(0);
    expect(out()).toMatch(/^eks-soc2 fix \(level safe\): /);
    expect(out()).toContain('Nothing was changed in the cluster or the AWS account.');
    expect(out()).toContain(`-  encrypted: 'false'   # set by the old template\n+  encrypted: "true"   # set by the old template`);
    expect(out()).toMatch(/== Not included at --level safe \(\d+\)/);
    expect(readFileSync(join(dir, 'storage.yaml'), 'utf8')).toBe(before);
  });

  it('--level review --write edits the files in place; a second scan passes the fixed rules', async () => {
    const dir = copyFixtures();
    expect(await cli('fix', '-f', dir, '--complete-inventory', '--level', 'review', '--write', '--control', 'CC5-HARD-03')).toBe(0);
    expect(stderr.join('')).toContain(`wrote ${join(dir, 'shop.yaml')}`);
    const report = tmp();
    await cli('scan', '-f', dir, '--control', 'CC5-HARD-03', '--format', 'json', '--expand-passing', '-o', report);
    const c = (JSON.parse(readFileSync(join(report, 'eks-soc2-report.json'), 'utf8')) as { controls: { findings: { rule: string; status: string; resource: { name: string } }[] }[] }).controls[0]!;
    const failing = c.findings.filter((f) => f.status === 'fail').map((f) => `${f.resource.name} ${f.rule}`);
    // Only the rules that need a decision still fail (the CronJob has no decision left).
    expect(failing.filter((f) => f.startsWith('report '))).toEqual([]);
    expect(failing.every((f) => /no-host-path|no-added-capabilities/.test(f))).toBe(true);
  });

  it('rejects a bad --level and conflicting flags with one clear message', async () => {
    expect(await cli('fix', '-f', FIXTURES, '--level', 'yolo')).toBe(2);
    expect(stderr.join('')).toContain('--level must be safe or review');
    expect(await cli('fix', '-f', FIXTURES, '--waive', '--write')).toBe(2);
    expect(await cli('fix', '-f', FIXTURES, '--rule', 'no-such-rule')).toBe(2);
    expect(stderr.join('')).toContain('unknown rule "no-such-rule"');
  });
});

describe('eks-soc2 fix (rendered output): patches and a kustomization the real kubectl builds', () => {
  const rendered = `---
# Source: shop/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {helm.sh/chart: shop-1.0.0}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      automountServiceAccountToken: false
      containers:
        - name: web
          image: registry.example.com/web:1
          securityContext: {privileged: true, capabilities: {drop: [NET_RAW]}}
        - name: sidecar
          image: registry.example.com/sidecar:1
`;

  it('writes strategic-merge patches, a kustomization.yaml and commands; kubectl kustomize applies them', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'rendered.yaml'), rendered);
    const o = join(tmp(), 'fixes');
    expect(await cli('fix', '-f', join(dir, 'rendered.yaml'), '--control', 'CC5-HARD-03', '--level', 'review', '--out', o, '-q')).toBe(0);
    // The rendered file is not edited: Helm would overwrite it.
    expect(readFileSync(join(dir, 'rendered.yaml'), 'utf8')).toBe(rendered);
    expect(out()).toContain('is rendered output (Helm or a cluster dump)');
    expect(out()).toMatch(/kubectl patch deployment\.v1\.apps web -n shop --type strategic -p '\{"spec"/);
    for (const f of ['kustomize/kustomization.yaml', 'kustomize/resources.yaml', 'kustomize/post-render.sh', 'commands.sh', 'fix.diff', 'plan.json']) expect(existsSync(join(o, f)), f).toBe(true);
    const patch = parseAllDocuments(readFileSync(join(o, 'kustomize/patches/deployment-shop-web.yaml'), 'utf8'))[0]!.toJS() as { spec: { template: { spec: { containers: { name: string; securityContext: Record<string, unknown> }[] } } } };
    expect(patch.spec.template.spec.containers.find((c) => c.name === 'web')?.securityContext).toMatchObject({ privileged: null, capabilities: { drop: ['NET_RAW', 'ALL'] } });

    if (!KUSTOMIZE) {
      console.warn('skipped: no kustomize v4+ (kubectl kustomize or kustomize) installed');
      return;
    }
    const built = kustomize(join(o, 'kustomize'));
    const run = evaluateText(built);
    const hard03 = run.controls.find((c) => c.id === 'CC5-HARD-03')!;
    const web = hard03.findings.filter((f) => f.resource.name === 'web');
    for (const rule of ['no-privileged', 'no-privilege-escalation', 'drop-capabilities', 'read-only-root-fs', 'run-as-non-root', 'seccomp-profile']) {
      expect(web.find((f) => f.rule === rule)?.status, rule).toBe('pass');
    }
    // The Helm post-renderer: rendered manifests on stdin, the patched ones on stdout.
    const post = execFileSync(join(o, 'kustomize', 'post-render.sh'), { input: rendered, encoding: 'utf8' });
    expect(evaluateText(post).controls.find((c) => c.id === 'CC5-HARD-03')!.findings.filter((f) => f.resource.name === 'web' && f.status === 'fail')).toEqual([]);
  }, 60_000);
});

describe('eks-soc2 fix --waive', () => {
  it('appends waiver entries the loader refuses until the reason and approver are written', async () => {
    const dir = copyFixtures();
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, '# accepted risks\nwaivers:\n  - id: RISK-1\n    control: CC5-HARD-04\n    reason: sized by the platform team\n    approvedBy: cto@example.com\n    expires: 2099-01-01\n');
    expect(await cli('fix', '-f', dir, '--complete-inventory', '--control', 'CC5-HARD-03', '--rule', 'no-host-network', '--waive', '--waivers', waivers, '--expires', '2027-03-01')).toBe(0);
    const text = readFileSync(waivers, 'utf8');
    expect(text.startsWith('# accepted risks\nwaivers:\n  - id: RISK-1\n')).toBe(true);
    const doc = parseAllDocuments(text)[0]!.toJS() as { waivers: Record<string, unknown>[] };
    expect(doc.waivers).toHaveLength(2);
    expect(doc.waivers[1]).toMatchObject({ control: 'CC5-HARD-03', rule: 'no-host-network', resources: { namespace: 'shop', kind: 'DaemonSet', name: 'probe' }, expires: '2027-03-01' });
    expect(String(doc.waivers[1]!.reason)).toContain('TODO(eks-soc2 fix --waive)');
    // Idempotent: the same selection adds nothing the second time.
    await cli('fix', '-f', dir, '--complete-inventory', '--control', 'CC5-HARD-03', '--rule', 'no-host-network', '--waive', '--waivers', waivers);
    expect(readFileSync(waivers, 'utf8')).toBe(text);

    // scan refuses the placeholder entry, then applies it once filled in.
    const report = tmp();
    await cli('scan', '-f', dir, '--control', 'CC5-HARD-03', '--waivers', waivers, '--format', 'json', '--expand-passing', '-o', report);
    const r1 = JSON.parse(readFileSync(join(report, 'eks-soc2-report.json'), 'utf8')) as { waivers: { issues: { message: string }[] }; controls: { findings: { rule: string; status: string }[] }[] };
    expect(r1.waivers.issues.some((i) => /still the placeholder written by `eks-soc2 fix --waive`/.test(i.message))).toBe(true);
    expect(['fail', 'warn']).toContain(r1.controls[0]!.findings.find((f) => f.rule === 'no-host-network' && f.status !== 'pass')?.status);
    writeFileSync(waivers, text.replace(/TODO\(eks-soc2 fix --waive\): why[^"\n]*/, 'node probe needs the host network').replace(/TODO\(eks-soc2 fix --waive\): who approves/, 'sec@example.com'));
    await cli('scan', '-f', dir, '--control', 'CC5-HARD-03', '--waivers', waivers, '--format', 'json', '--expand-passing', '-o', report);
    const r2 = JSON.parse(readFileSync(join(report, 'eks-soc2-report.json'), 'utf8')) as typeof r1;
    expect(r2.controls[0]!.findings.find((f) => f.rule === 'no-host-network' && f.status !== 'pass')?.status).toBe('waived');
  });

  it('prints the entries when no waivers file is given', async () => {
    expect(await cli('fix', '-f', FIXTURES, '--rule', 'default-class-encrypted', '--waive', '--approver', 'sec@example.com', '--now', '2026-12-01')).toBe(0);
    expect(out()).toMatch(/^# Accepted risks/);
    expect(out()).toContain('approvedBy: sec@example.com');
    expect(out()).toContain('expires: 2027-03-01');
  });
});

describe('eks-soc2 fix on a live cluster', () => {
  it('reads the cluster, writes patches and a kustomization, and sends no write request', async () => {
    const objects: K8sObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'n1' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop', uid: 'u1', resourceVersion: '7' }, spec: { template: { spec: { containers: [{ name: 'api', image: 'repo/api:1', securityContext: { privileged: true } }] } } }, status: { replicas: 1 } },
    ];
    server = await startKubeApiServer({ token: 't', objects: objects as unknown as Record<string, unknown>[], serve: ['apps/StatefulSet', 'apps/DaemonSet', 'apps/ReplicaSet', 'batch/Job', 'batch/CronJob', 'core/ReplicationController', 'core/Pod'] });
    const o = join(tmp(), 'fixes');
    const code = await cli('fix', '--kubeconfig', server.writeKubeconfig({ token: 't' }), '--no-aws', '--control', 'CC5-HARD-03,CC5-HARD-01', '--level', 'review', '--out', o, '--qps', '0', '-q');
    expect(code).toBe(0);
    expect(server.requests.length).toBeGreaterThan(0);
    // Reads only: the one POST is the SelfSubjectReview that says who the collector is (it stores nothing).
    expect(server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual(['POST /apis/authentication.k8s.io/v1/selfsubjectreviews']);
    const resources = readFileSync(join(o, 'kustomize/resources.yaml'), 'utf8');
    // Only the patched objects, without status or server-set metadata.
    expect(resources).toContain('name: api');
    expect(resources).not.toMatch(/resourceVersion|uid:|status:/);
    expect(readFileSync(join(o, 'commands.sh'), 'utf8')).toMatch(/kubectl patch deployment\.v1\.apps api -n shop --type strategic -p '\{"spec":\{"template":\{"spec":\{.*"privileged":null/);
  });
});

describe('eks-soc2 fix --demo', () => {
  it('prints a reviewable diff and AWS commands with the demo\'s real names, in a safe order', async () => {
    expect(await cli('fix', '--demo', '--level', 'review')).toBe(0);
    const text = out();
    expect(text).toContain('--- a/Deployment/legacy/billing-monolith');
    expect(text).toContain("aws eks update-cluster-config --name acme-prod --logging '{\"clusterLogging\":[{\"types\":[\"controllerManager\",\"scheduler\"],\"enabled\":true}]}' --region eu-west-1");
    expect(text).toContain('aws eks wait cluster-active --name acme-prod --region eu-west-1');
    expect(text).toContain('--principal-arn arn:aws:iam::111122223333:role/acme-platform-terraform');
    expect(text.indexOf('update-cluster-config --name acme-prod --logging')).toBeLessThan(text.indexOf('aws eks wait cluster-active'));
    expect(text).not.toContain('$CLUSTER_NAME');
  });

  it('scan\'s remediation carries the same filled-in commands', async () => {
    const o = tmp();
    await cli('scan', '--demo', '--format', 'json,markdown', '-o', o);
    const r = JSON.parse(readFileSync(join(o, 'eks-soc2-report.json'), 'utf8')) as { controls: { id: string; remediation: { commands?: string[] } }[] };
    const mon01 = r.controls.find((c) => c.id === 'CC4-MON-01')!;
    expect(mon01.remediation.commands?.[0]).toContain('aws eks update-cluster-config --name acme-prod');
    const all = r.controls.flatMap((c) => c.remediation.commands ?? []).join('\n');
    expect(all).not.toContain('$CLUSTER_NAME');
    expect(all).not.toContain('$AWS_REGION');
    expect(readFileSync(join(o, 'eks-soc2-report.md'), 'utf8')).toContain('aws eks update-cluster-config --name acme-prod');
  });
});
