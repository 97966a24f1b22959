import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CC3_RA_01 } from '../../src/catalog/cc3.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../../src/engine/index.js';
import { defaultConfig } from '../../src/model/index.js';
import type { ToolReport } from '../../src/model/index.js';
import { runCase } from '../helpers/control-tester.js';

const report = (version: string, statuses: string[]): ToolReport => ({
  tool: 'kube-bench',
  file: 'kube-bench.json',
  data: {
    Controls: [{
      id: '3', version, text: 'Worker Node Security Configuration', node_type: 'node',
      tests: [{ section: '3.1', desc: 'Worker Node Configuration Files', results: statuses.map((status, i) => ({ test_number: `3.1.${i + 1}`, test_desc: `check ${i + 1}`, status, type: '' })) }],
    }],
  },
});

describe('CC3-RA-01 with a kube-bench JSON report as evidence', () => {
  it('fails on FAIL results and names them', () => {
    const r = runCase(CC3_RA_01, { name: 'fails', k8s: [], tools: [report('eks-1.5.0', ['PASS', 'FAIL', 'WARN'])] });
    expect(r.status).toBe('fail');
    const f = r.findings.find((x) => x.rule === 'no-failed-checks');
    expect(f?.status).toBe('fail');
    expect(f?.message).toMatch(/3\.1\.2 check 2/);
  });

  it('a clean EKS-benchmark report still needs the attestation (no date in the file)', () => {
    const r = runCase(CC3_RA_01, { name: 'clean', k8s: [], complete: false, tools: [report('eks-1.8.0', ['PASS', 'PASS', 'WARN'])] });
    expect(r.status).toBe('manual');
    expect(r.findings.filter((f) => f.status === 'pass').map((f) => f.rule).sort()).toEqual(['benchmark-current', 'eks-benchmark', 'no-failed-checks']);
    expect(r.notes.join(' ')).toMatch(/carries no date/);
  });

  it('a report of the generic CIS benchmark is not an EKS benchmark', () => {
    const r = runCase(CC3_RA_01, { name: 'generic', k8s: [], tools: [report('1.5', ['PASS'])] });
    expect(r.findings.find((f) => f.rule === 'eks-benchmark')?.status).toBe('fail');
  });

  it('without Jobs, CronJobs or a report in a file scan the control is an error', () => {
    const r = runCase(CC3_RA_01, { name: 'nothing', k8s: [], complete: false });
    expect(r.status).toBe('error');
  });
});

describe.skipIf(!existsSync('/work/shared/corpus/kube-bench/json-output'))('CC3-RA-01 on real kube-bench output (corpus)', () => {
  it('reads result.json: 12 failed checks of the generic CIS benchmark', async () => {
    const snap = await collectFiles(['/work/shared/corpus/kube-bench/json-output/result.json'], { toolVersion: 't' });
    expect(snap.tools.map((t) => t.tool)).toEqual(['kube-bench']);
    const run = evaluate(snap, [CC3_RA_01], { config: defaultConfig(), toolVersion: 't', catalogVersion: 't' });
    const c = run.controls[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings.find((f) => f.rule === 'no-failed-checks')?.message).toMatch(/12 failed check/);
    expect(c.findings.find((f) => f.rule === 'eks-benchmark')?.status).toBe('fail');
  });
});

describe('CC3-IMG-04 in a manifest scan without admission policies in the input', () => {
  it('does not claim that no registry policy exists when the policy kinds were not read', async () => {
    const { CC3_IMG_04 } = await import('../../src/catalog/cc3.js');
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: { name: p, namespace: app }\nspec: { containers: [{ name: c, image: "repo/app@sha256:0000000000000000000000000000000000000000000000000000000000000000" }] }\n';
    const files = runCase(CC3_IMG_04, { name: 'files', k8s: pod, complete: false });
    expect(files.findings.some((f) => f.rule === 'registry-policy')).toBe(false);
    // Listed as not evaluated (it is a recommended rule: the control's status does not change).
    expect(files.unevaluated.find((u) => u.rule === 'registry-policy')?.reason).toMatch(/were not read as a whole inventory/);
    // With the policy kinds read (a complete inventory) and none there, the gap is a finding.
    const complete = runCase(CC3_IMG_04, { name: 'complete', k8s: pod, complete: true });
    expect(complete.findings.find((f) => f.rule === 'registry-policy')?.status).toBe('warn');
  });
});
