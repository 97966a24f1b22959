/**
 * The GitHub Action (action.yml) and the pre-commit hook: their scripts run here as GitHub and
 * pre-commit run them (inputs as environment variables, outputs in $GITHUB_OUTPUT), and their
 * definitions stay consistent with the CLI.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'eks-soc2-action-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BAD = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx, securityContext: { privileged: true } }] }
`;

/** Run scripts/github-action.mjs in a fake workspace; returns its exit code, outputs and summary. */
function runAction(files: Record<string, string>, inputs: Record<string, string>) {
  const ws = mkdtempSync(join(work, 'ws-'));
  for (const [p, text] of Object.entries(files)) { mkdirSync(join(ws, p, '..'), { recursive: true }); writeFileSync(join(ws, p), text); }
  const out = join(ws, 'github-output');
  const summary = join(ws, 'step-summary');
  writeFileSync(out, '');
  const env: Record<string, string> = { ...process.env as Record<string, string>, GITHUB_WORKSPACE: ws, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: summary, CI: 'true', NO_COLOR: '1' };
  for (const [k, v] of Object.entries(inputs)) env[`EKS_SOC2_ACTION_${k.toUpperCase().replace(/-/g, '_')}`] = v;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/github-action.mjs')], { cwd: ws, env, encoding: 'utf8' });
  const outputs = Object.fromEntries(readFileSync(out, 'utf8').trim().split('\n').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return { ws, status: r.status, stdout: r.stdout, stderr: r.stderr, outputs, summary: (() => { try { return readFileSync(summary, 'utf8'); } catch { return ''; } })() };
}

describe('GitHub Action', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>; outputs: Record<string, { value: string }>;
    runs: { using: string; steps: { id?: string; run?: string; uses?: string; env?: Record<string, string>; if?: string }[] };
  };

  it('the script step never fails; it reports the scan\'s code, the SARIF and the counts as outputs', () => {
    const r = runAction({ 'k8s/web.yaml': BAD }, { paths: 'k8s', 'fail-on': 'high' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.outputs['sarif-file']).toBe('eks-soc2-reports/eks-soc2-report.sarif');
    const sarif = JSON.parse(readFileSync(join(r.ws, r.outputs['sarif-file']!), 'utf8')) as { runs: { results: { ruleId: string; locations: { physicalLocation?: { artifactLocation: { uri: string } } }[] }[] }[] };
    const hard03 = sarif.runs[0]!.results.filter((x) => x.ruleId.startsWith('CC5-HARD-03'));
    expect(hard03.length).toBeGreaterThan(0);
    expect(hard03[0]!.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('k8s/web.yaml');
    expect(Number(r.outputs['failed-controls'])).toBeGreaterThan(0);
    expect(r.outputs.score).toMatch(/^\d+(\.\d)?$/);
    expect(r.summary).toMatch(/CC5\\?-HARD\\?-03/); // the Markdown report goes to the job summary
    // The bounded Markdown (markdown-summary) is the job summary; the full one stays beside it.
    expect(r.summary).toBe(readFileSync(join(r.ws, 'eks-soc2-reports/eks-soc2-report.summary.md'), 'utf8'));
    expect(existsSync(join(r.ws, 'eks-soc2-reports/eks-soc2-report.md'))).toBe(true);
  });

  it('passes with fail-on never, and extra args reach the scan', () => {
    const r = runAction({ 'k8s/web.yaml': BAD }, { paths: 'k8s', 'fail-on': 'never', args: '--control CC5-HARD-03' });
    expect(r.outputs['exit-code']).toBe('0');
    const json = JSON.parse(readFileSync(join(r.ws, r.outputs['json-file']!), 'utf8')) as { controls: { id: string }[] };
    expect(json.controls.map((c) => c.id)).toEqual(['CC5-HARD-03']);
  });

  it('a path that does not exist is an input error (exit 2), still reported as an output', () => {
    const r = runAction({}, { paths: 'nope' });
    expect(r.status).toBe(0);
    expect(r.outputs['exit-code']).toBe('2');
  });

  it('every input the script reads is declared, the last step exits with the scan\'s code after the upload', () => {
    const script = readFileSync(join(ROOT, 'scripts/github-action.mjs'), 'utf8');
    const read = new Set([...script.matchAll(/EKS_SOC2_ACTION_([A-Z_]+)/g)].map((m) => m[1]!.toLowerCase().replace(/_/g, '-')));
    const scanStep = action.runs.steps.find((s) => s.id === 'scan')!;
    const passed = new Set(Object.keys(scanStep.env ?? {}).filter((k) => k.startsWith('EKS_SOC2_ACTION_')).map((k) => k.slice(16).toLowerCase().replace(/_/g, '-')));
    expect([...read].sort()).toEqual([...passed].sort());
    for (const i of passed) expect(action.inputs[i], `input ${i}`).toBeDefined();
    for (const o of ['exit-code', 'sarif-file', 'json-file', 'failed-controls', 'warnings', 'score']) expect(action.outputs[o]!.value).toContain(`steps.scan.outputs.${o}`);
    const names = action.runs.steps.map((s) => s.uses?.split('@')[0] ?? s.id ?? s.run);
    expect(names.indexOf('github/codeql-action/upload-sarif')).toBeGreaterThan(names.indexOf('scan'));
    const last = action.runs.steps.at(-1)!;
    expect(last.if).toMatch(/always\(\)/);
    expect(last.run).toMatch(/exit "\$\{CODE:-2\}"/);
    expect(action.runs.using).toBe('composite');
  });
});

describe('pre-commit hook', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; pass_filenames: boolean; language: string }[];

  it('runs the CLI on the changed files: a failing manifest fails, other YAML passes', async () => {
    const hook = hooks.find((h) => h.id === 'eks-soc2')!;
    expect(hook.pass_filenames).toBe(true);
    const [cmd, ...args] = hook.entry.split(/\s+/);
    expect(cmd).toBe('eks-soc2');
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, BAD);
    const compose = join(work, 'docker-compose.yml');
    writeFileSync(compose, 'services:\n  web:\n    image: nginx\n');
    expect((await runCli([...args, bad, compose])).code).toBe(1);
    const ok = await runCli([...args, compose]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stderr).toMatch(/nothing to evaluate/);
  });
});
