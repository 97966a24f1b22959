import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { catalog } from '../../src/catalog/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { defaultConfig } from '../../src/model/index.js';
import type { Finding, RunResult } from '../../src/model/index.js';
import { materialise, planFixes } from '../../src/fix/index.js';
import type { FixPlan, Materialised } from '../../src/fix/index.js';

const FIXTURES = new URL('../fixtures/fix/manifests/', import.meta.url).pathname;
const CORPUS = '/work/shared/corpus';
const NOW = new Date('2026-11-26T12:00:00Z');

/** Every rule whose fix is a mechanical change of a manifest (the round trip proves each). */
const MECHANICAL = [
  'CC5-HARD-03/no-privilege-escalation', 'CC5-HARD-03/read-only-root-fs', 'CC5-HARD-03/no-privileged', 'CC5-HARD-03/drop-capabilities',
  'CC5-HARD-03/run-as-non-root', 'CC5-HARD-03/seccomp-profile', 'CC5-HARD-03/no-host-network', 'CC5-HARD-03/no-host-pid', 'CC5-HARD-03/no-host-ipc',
  'CC5-HARD-01/pss-labels', 'P1-IAM-09/automount-sa-token', 'CC7-CHG-04/revision-history', 'CC9-ENC-02/storage-encrypted', 'CC9-ENC-02/default-class-encrypted', 'CC6-NET-03/netpol-default-deny',
];

async function scan(dir: string, ebsDefault = true): Promise<{ run: RunResult; snap: Awaited<ReturnType<typeof collectFiles>> }> {
  const snap = await collectFiles([dir], { toolVersion: 't', completeInventory: true, cwd: dir });
  if (ebsDefault) {
    // The account's EBS encryption by default (off): whether a StorageClass's volumes are encrypted depends on it.
    snap.cluster = { name: 'shop', region: 'eu-west-1', accountId: '111122223333' };
    snap.aws = { source: 'files', region: 'eu-west-1', accountId: '111122223333', calls: { 'ec2:GetEbsEncryptionByDefault': { state: 'collected', count: 1 } }, facts: [{ service: 'ec2', operation: 'GetEbsEncryptionByDefault', region: 'eu-west-1', accountId: '111122223333', output: { EbsEncryptionByDefault: false } }] };
  }
  const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW });
  return { run, snap };
}

type Snap = Awaited<ReturnType<typeof collectFiles>>;

/**
 * An object by identity and place: kind, namespace, name, file, and its rank among objects of the
 * same identity in that file (corpus files reuse names, and lines move when lines are added above).
 */
function keyer(snap: Snap): (f: Pick<Finding, 'resource' | 'source'>) => string {
  const lines = new Map<string, number[]>();
  for (const o of snap.kubernetes.objects) {
    const k = `${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name ?? ''}|${o.$source?.file ?? ''}`;
    lines.set(k, [...(lines.get(k) ?? []), o.$source?.line ?? 0].sort((a, b) => a - b));
  }
  return (f) => {
    const k = `${f.resource.kind}|${f.resource.namespace ?? ''}|${f.resource.name}|${f.source?.file ?? ''}`;
    return `${k}|${(lines.get(k) ?? []).indexOf(f.source?.line ?? 0)}`;
  };
}

/** Fix everything at --level review, write it, scan again. */
async function roundTrip(dir: string, ebsDefault = true) {
  const before = await scan(dir, ebsDefault);
  const plan = planFixes(before.run, before.snap, { level: 'review', config: defaultConfig(), includeSystem: true });
  const texts = new Map<string, string>();
  const m = materialise(plan, { read: (f) => { try { const t = readFileSync(join(dir, f), 'utf8'); texts.set(f, t); return t; } catch { return undefined; } } });
  for (const f of m.files) writeFileSync(join(dir, f.file), f.after);
  for (const n of m.newFiles) if (n.path) writeFileSync(join(dir, n.path), n.text);
  const after = await scan(dir, ebsDefault);
  return { before, after, plan, m, texts, keyBefore: keyer(before.snap), keyAfter: keyer(after.snap) };
}

/**
 * (control, rule, object) the plan fixed in the files: changes written to a file and new files, minus
 * those with a decision left on the same object (a container the plan could not change, e.g. one that
 * adds CAP_SYS_ADMIN, keeps the rule failing on purpose). Patches of rendered objects are proven by
 * the kustomize test.
 */
function fixedTriples(plan: FixPlan, m: Materialised, key: (f: Pick<Finding, 'resource' | 'source'>) => string): Set<string> {
  const decided = new Set(plan.decisions.map((d) => `${d.control}/${d.rule}#${key(d)}`));
  const s = new Set<string>();
  for (const c of m.files.flatMap((f) => f.changes)) s.add(`${c.control}/${c.rule}#${key(c)}`);
  for (const n of m.newFiles) if (n.path) s.add(`${n.object.control}/${n.object.rule}#${key(n.object)}`);
  for (const d of decided) s.delete(d);
  return s;
}

function findingsOf(run: RunResult, triple: string, key: (f: Pick<Finding, 'resource' | 'source'>) => string): Finding[] {
  const [rule, k] = triple.split('#') as [string, string];
  const [control, ruleId] = rule.split('/') as [string, string];
  return (run.controls.find((c) => c.id === control)?.findings ?? []).filter((f) => f.rule === ruleId && key(f) === k);
}

function copyTo(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-fix-'));
  cpSync(src, dir, { recursive: true });
  return dir;
}

describe('fix --level review, then scan again (fixtures)', () => {
  it('every mechanical rule passes on every object it changed; comments and untouched lines are kept', async () => {
    const dir = copyTo(FIXTURES);
    const { before, after, plan, m, texts, keyBefore, keyAfter } = await roundTrip(dir);

    // Each mechanical rule failed before and has a change in the plan (the test proves every one).
    const planned = new Set([...plan.changes, ...plan.newObjects].map((c) => `${c.control}/${c.rule}`));
    for (const r of MECHANICAL) expect(planned, r).toContain(r);

    // After: each (control, rule, object) the plan changed now passes.
    for (const t of fixedTriples(plan, m, keyBefore)) {
      const fs = findingsOf(after.run, t, keyAfter);
      expect(fs.length, t).toBeGreaterThan(0);
      expect(fs.map((f) => f.status), t).toEqual(fs.map(() => 'pass'));
    }
    // The fixed files still parse: no new input problem.
    expect(after.snap.gaps.filter((g) => g.source === 'files')).toEqual(before.snap.gaps.filter((g) => g.source === 'files'));
    expect(after.snap.kubernetes.objects.length).toBe(before.snap.kubernetes.objects.length + m.newFiles.length);

    // Untouched lines are byte-identical: only lines that held a replaced value are gone, comments all stay.
    const removed: string[] = [];
    for (const f of m.files) {
      const rest = f.after.split('\n');
      for (const line of texts.get(f.file)!.split('\n')) {
        const i = rest.indexOf(line);
        if (i === -1) removed.push(`${f.file}: ${line}`); else rest.splice(i, 1);
      }
    }
    expect(removed.sort()).toEqual([
      // JSON: a key added after the last one puts a comma after it.
      'api.json:             "image": "registry.example.com/api:4"',
      'api.json:         ]',
      'api.json:         "automountServiceAccountToken": true,',
      'node-agent.yaml:       - {name: probe, image: registry.example.com/probe:3, securityContext: {allowPrivilegeEscalation: true}}',
      'node-agent.yaml:       hostIPC: true',
      'node-agent.yaml:       hostNetwork: true',
      'node-agent.yaml:       hostPID: true',
      'shop.yaml:           securityContext: {}',
      'shop.yaml:   revisionHistoryLimit: 0   # saves etcd space',
      'shop.yaml:             privileged: true',
      'shop.yaml:               drop: [NET_RAW]',
      "storage.yaml:   encrypted: 'false'   # set by the old template",
    ].sort());
    // The new NetworkPolicy sits next to the namespace's manifests.
    expect(m.newFiles.map((n) => n.path).sort()).toEqual(['docs-default-deny-ingress.yaml', 'shop-default-deny-ingress.yaml']);
    // shop meets restricted once fixed: the enforce label depends on the review changes, and says so.
    const shop = plan.changes.find((c) => c.rule === 'pss-labels' && c.resource.name === 'shop')!;
    expect(shop.risk).toBe('review');
    expect(shop.caution).toMatch(/only with the review changes of this plan/);
    expect(readFileSync(join(dir, 'shop.yaml'), 'utf8')).toContain('# the shipper asked for this once; nobody remembers why');
    expect(readFileSync(join(dir, 'storage.yaml'), 'utf8')).toContain('  encrypted: "true"   # set by the old template');
    expect(JSON.parse(readFileSync(join(dir, 'api.json'), 'utf8')).spec.template.spec.automountServiceAccountToken).toBe(false);
  }, 60_000);

  it('at --level safe only the changes that cannot change what runs are made', async () => {
    const dir = copyTo(FIXTURES);
    const { run, snap } = await scan(dir);
    const plan = planFixes(run, snap, { level: 'safe', config: defaultConfig() });
    expect(new Set(plan.changes.map((c) => c.risk))).toEqual(new Set(['safe']));
    expect([...new Set(plan.changes.map((c) => `${c.control}/${c.rule}`))].sort()).toEqual(['CC5-HARD-01/pss-audit-warn', 'CC5-HARD-01/pss-labels', 'CC7-CHG-04/revision-history', 'CC9-ENC-02/default-class-encrypted', 'CC9-ENC-02/storage-encrypted']);
    expect(plan.skipped.some((s) => s.rule === 'read-only-root-fs' && s.risk === 'review')).toBe(true);
    // blog: its workload meets restricted and the input is the whole inventory; docs: audit/warn only.
    const labels = (ns: string) => plan.changes.find((c) => c.control === 'CC5-HARD-01' && c.resource.name === ns)?.ops;
    expect(labels('blog')).toEqual([
      { op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/enforce'], value: 'restricted' },
      { op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/audit'], value: 'restricted' },
      { op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/warn'], value: 'restricted' },
    ]);
    expect(labels('docs')).toEqual([
      { op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/audit'], value: 'restricted' },
      { op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/warn'], value: 'restricted' },
    ]);
    // shop's workloads meet baseline only once the review changes are made: a decision at this level.
    expect(plan.decisions.find((d) => d.rule === 'pss-labels')?.resource.name).toBe('shop');
  });

  it('a fix that needs a value it cannot know is a decision, never an invented value', async () => {
    const dir = copyTo(FIXTURES);
    const { run, snap } = await scan(dir);
    const plan = planFixes(run, snap, { level: 'review', config: defaultConfig() });
    const decided = new Set(plan.decisions.map((d) => `${d.control}/${d.rule}`));
    expect(decided).toContain('CC5-HARD-04/resource-requests');
    expect(decided).toContain('CC5-HARD-04/resource-limits');
    // An explicit runAsUser: 1000 is kept: the pod-level runAsNonRoot covers the others.
    expect(plan.changes.find((c) => c.rule === 'run-as-non-root' && c.resource.name === 'web')?.ops).toEqual([
      { op: 'set', path: ['spec', 'template', 'spec', 'securityContext', 'runAsNonRoot'], value: true },
    ]);
  });
});

/** Manifest files of the corpus (YAML and JSON, not the tool reports). */
function manifests(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$/i.test(e)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(!existsSync(CORPUS))('fix --level review over every manifest of the corpus', () => {
  it('leaves no failure of a fixed rule on a fixed object and no unreadable file', async () => {
    const dir = copyTo(CORPUS);
    const { before, after, plan, m, keyBefore, keyAfter } = await roundTrip(dir, false);
    expect(plan.changes.length).toBeGreaterThan(200);
    expect(m.files.length).toBeGreaterThan(50);
    const stillFailing: string[] = [];
    for (const t of fixedTriples(plan, m, keyBefore)) {
      for (const f of findingsOf(after.run, t, keyAfter)) if (f.status === 'fail' || f.status === 'warn') stillFailing.push(`${t}: ${f.message}`);
    }
    expect(stillFailing).toEqual([]);
    // No file became unreadable, and every edited file parses with the yaml package too.
    const parseProblems = (gaps: typeof before.snap.gaps) => gaps.filter((g) => g.source === 'files').map((g) => g.message).sort();
    expect(parseProblems(after.snap.gaps)).toEqual(parseProblems(before.snap.gaps));
    for (const f of m.files) expect(parseAllDocuments(readFileSync(join(dir, f.file), 'utf8')).flatMap((d) => d.errors), f.file).toEqual([]);
    // Files that could not be edited safely are said, never half-written.
    for (const n of m.notes) expect(n).toMatch(/not edited in place/);
    expect(manifests(dir).length).toBeGreaterThan(100);
    expect(relative(dir, dir)).toBe('');
  }, 240_000);
});
