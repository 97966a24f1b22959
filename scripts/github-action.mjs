#!/usr/bin/env node
// The GitHub Action's work (action.yml): run `eks-soc2 scan` on the given paths with the reports the
// workflow needs (SARIF for code scanning, JSON for the outputs, Markdown for the job summary), set
// the step outputs, and never fail this step itself — the action's last step exits with the scan's
// code, after the SARIF upload ran. Runs the same on a laptop: set the EKS_SOC2_ACTION_* variables
// (and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY to files) and `node scripts/github-action.mjs`.
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = process.env;
const bin = fileURLToPath(new URL('../bin/eks-soc2.mjs', import.meta.url));
const workspace = env.GITHUB_WORKSPACE ?? process.cwd();

/** Split an input the way people write lists in YAML: newlines or spaces; quotes keep spaces. */
export function splitList(text) {
  const out = [];
  for (const m of (text ?? '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function setOutput(name, value) {
  const line = `${name}=${String(value).replace(/[\r\n]+/g, ' ')}\n`;
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, line);
  else process.stdout.write(`::set-output ${line}`);
}

const outDir = resolve(workspace, env.EKS_SOC2_ACTION_OUTPUT_DIR || 'eks-soc2-reports');
mkdirSync(outDir, { recursive: true });
const paths = splitList(env.EKS_SOC2_ACTION_PATHS || '.');
const failOn = (env.EKS_SOC2_ACTION_FAIL_ON || 'high').trim();
const args = [
  bin, 'scan', ...paths.flatMap((p) => ['-f', p]),
  '--format', 'sarif,json,markdown,markdown-summary', '-o', outDir, '--fail-on', failOn,
  ...(/^true$/i.test(env.EKS_SOC2_ACTION_FAIL_ON_WARN ?? '') ? ['--fail-on-warn'] : []),
  ...splitList(env.EKS_SOC2_ACTION_ARGS),
];
process.stdout.write(`eks-soc2 scan ${args.slice(2).join(' ')}\n`);
const r = spawnSync(process.execPath, args, { cwd: workspace, stdio: ['ignore', 'inherit', 'inherit'], env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' } });
const code = r.status ?? 2;

const sarif = join(outDir, 'eks-soc2-report.sarif');
const json = join(outDir, 'eks-soc2-report.json');
const md = join(outDir, 'eks-soc2-report.md');
// The job summary gets the bounded Markdown (GitHub takes at most 1 MiB per step; a large cluster's
// full Markdown can be more): failing controls first, then a line saying what was left out. The
// full Markdown stays in the output directory.
const summaryMd = join(outDir, 'eks-soc2-report.summary.md');
setOutput('exit-code', code);
setOutput('sarif-file', existsSync(sarif) ? relative(workspace, sarif) : '');
setOutput('json-file', existsSync(json) ? relative(workspace, json) : '');
if (existsSync(json)) {
  try {
    const run = JSON.parse(readFileSync(json, 'utf8'));
    setOutput('failed-controls', run.summary?.controls?.fail ?? 0);
    setOutput('warnings', run.summary?.findings?.warn ?? 0);
    setOutput('score', run.summary?.score ?? '');
  } catch (err) {
    process.stderr.write(`eks-soc2 action: the JSON report could not be read: ${err.message}\n`);
  }
}
const forSummary = existsSync(summaryMd) ? summaryMd : md;
if (env.GITHUB_STEP_SUMMARY && existsSync(forSummary)) appendFileSync(env.GITHUB_STEP_SUMMARY, readFileSync(forSummary, 'utf8'));
if (code !== 0) process.stdout.write(`eks-soc2 exited ${code}; the action fails in its last step, after the SARIF upload\n`);
