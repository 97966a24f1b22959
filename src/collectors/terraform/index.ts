/**
 * Terraform input: plans (`terraform show -json`) and configuration directories (.tf, .tf.json,
 * tfvars) are translated into the AWS facts the checks read (translate.ts), added to the snapshot
 * with the resources they came from (`snapshot.iac`), so findings are reported on Terraform addresses.
 */
import { redactObjectValues } from '../sanitize.js';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AwsFact, EvidenceGap, IacResource, Snapshot } from '../../model/index.js';
import { Ids } from './ids.js';
import type { IdContext } from './ids.js';
import { linkUnknownReferences, readPlan } from './plan.js';
import { fillComputedIds, translate } from './translate.js';
import type { TfInstance } from './values.js';

export { isTerraformJson } from './plan.js';

export interface TerraformPlanInput {
  file: string;
  doc: Record<string, unknown>;
}

export interface TerraformResult {
  facts: AwsFact[];
  resources: IacResource[];
  placeholders: Map<string, string>;
  problems: EvidenceGap[];
  /** Roots read (plan files, configuration directories). */
  roots: string[];
}

/** Where the block of a resource of a plan is, from the .tf files next to the plan (root module and local modules). */
async function planLocator(planFile: string): Promise<(module: string, type: string, name: string) => { file: string; line: number } | undefined> {
  const dir = dirname(planFile);
  const cache = new Map<string, { file: string; text: string }[]>();
  const filesOf = async (d: string) => {
    let list = cache.get(d);
    if (!list) {
      list = [];
      try {
        for (const f of (await readdir(d)).filter((x) => x.endsWith('.tf')).sort()) list.push({ file: join(d, f), text: await readFile(join(d, f), 'utf8') });
      } catch { /* no configuration next to the plan */ }
      cache.set(d, list);
    }
    return list;
  };
  const rootFiles = await filesOf(dir);
  return (module, type, name) => {
    const files = rootFiles;
    if (module) {
      // Reported on the module call in the root configuration.
      const call = module.split('.')[1]?.replace(/\[.*\]$/, '');
      return call ? findBlock(files, 'module', [call]) : undefined;
    }
    return findBlock(files, 'resource', [type, name]);
  };
}

/** The line of a block header (`resource "type" "name" {`) in some files; a locating search, not a parser. */
export function findBlock(files: readonly { file: string; text: string }[], kind: string, labels: string[]): { file: string; line: number } | undefined {
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*${kind}[ \\t]+${labels.map((l) => `"?${esc(l)}"?`).join('[ \\t]+')}[ \\t]*\\{`, 'm');
  for (const f of files) {
    const m = re.exec(f.text);
    if (m) return { file: f.file, line: f.text.slice(0, m.index).split('\n').length };
  }
  return undefined;
}

/** Translate parsed plans into facts. */
export async function translatePlans(plans: readonly TerraformPlanInput[], hcl?: { instances: TfInstance[]; ctx: { region?: string; accountId?: string }; root: string; placeholders: Map<string, string> }[]): Promise<TerraformResult> {
  const facts: AwsFact[] = [];
  const resources: IacResource[] = [];
  const problems: EvidenceGap[] = [];
  const placeholders = new Map<string, string>();
  const roots: string[] = [];
  for (const p of plans) {
    const read = readPlan(p.doc, p.file, await planLocator(p.file));
    problems.push(...read.problems);
    if (read.problems.some((g) => g.reason === 'unsupported')) continue;
    roots.push(p.file);
    const ctx: IdContext = { partition: 'aws', ...(read.region ? { region: read.region } : {}), ...(read.accountId ? { accountId: read.accountId } : {}), placeholders };
    const ids = new Ids(ctx);
    for (const i of read.instances) if (i.mode === 'managed') fillComputedIds(i, ids);
    linkUnknownReferences(p.doc, read);
    const t = translate(read.instances, ctx);
    facts.push(...t.facts);
    resources.push(...t.resources);
  }
  for (const h of hcl ?? []) {
    roots.push(h.root);
    for (const [k, v] of h.placeholders) placeholders.set(k, v);
    const ctx: IdContext = { partition: 'aws', ...(h.ctx.region ? { region: h.ctx.region } : {}), ...(h.ctx.accountId ? { accountId: h.ctx.accountId } : {}), placeholders };
    const t = translate(h.instances, ctx);
    facts.push(...t.facts);
    resources.push(...t.resources);
  }
  return { facts, resources, placeholders, problems, roots };
}

/** Add translated facts to a snapshot: coverage per operation, the resources, and the stand-in ids. */
export function addTerraform(snapshot: Snapshot, r: TerraformResult): void {
  for (const g of r.problems) snapshot.gaps.push(g);
  if (r.roots.length === 0 && r.facts.length === 0) return;
  const counts = new Map<string, number>();
  for (const f of r.facts) {
    const key = `${f.service}:${f.operation}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    // Configuration can carry credentials (a tfvars password in a user-data script, a webhook URL in
    // a tag): facts are redacted by value like every other AWS fact before they can be stored.
    redactObjectValues(f.output);
    snapshot.aws.facts.push(f);
  }
  // An operation no translated resource answers is "not in the input" (not collected), as kinds absent from manifests are.
  for (const [key, count] of counts) snapshot.aws.calls[key] = { state: 'collected', count, detail: 'terraform' };
  if (snapshot.aws.source === 'none') snapshot.aws.source = 'terraform';
  const region = r.facts.find((f) => f.service === 'eks' && f.operation === 'DescribeCluster')?.region ?? r.facts.find((f) => f.region)?.region;
  if (region) snapshot.aws.region ??= region;
  const iac = snapshot.iac ?? { tool: 'terraform' as const, resources: [], placeholders: {} };
  iac.resources.push(...r.resources);
  for (const [k, v] of r.placeholders) iac.placeholders[k] = v;
  snapshot.iac = iac;
  // The cluster identity, when the input declares exactly one cluster.
  const clusters = r.facts.filter((f) => f.service === 'eks' && f.operation === 'DescribeCluster');
  if (clusters.length > 1) {
    // The catalog judges one cluster per run: say which, never skip the others silently.
    const names = clusters.map((f) => (f.output as { cluster?: { name?: string } }).cluster?.name ?? '?');
    const judged = snapshot.cluster.name && names.includes(snapshot.cluster.name) ? snapshot.cluster.name : names[0]!;
    snapshot.gaps.push({
      source: 'files', target: r.roots.join(', '), reason: 'skipped',
      message: `the Terraform input declares ${clusters.length} EKS clusters (${names.join(', ')}): the cluster-level controls judge ${judged} only; the other clusters' resources are judged where a control judges every resource of its kind`,
      fix: 'scan each root module or plan on its own (one cluster per run)',
    });
  }
  if (clusters.length === 1 && !snapshot.cluster.name) {
    const c = (clusters[0]!.output as { cluster?: { name?: string } }).cluster;
    if (c?.name) snapshot.cluster = { ...snapshot.cluster, name: c.name, ...(clusters[0]!.region ? { region: clusters[0]!.region } : {}) };
  }
}

/** Read every Terraform input: plans already parsed, and configuration files (grouped by directory). */
export async function readTerraform(input: { plans: readonly TerraformPlanInput[]; files: readonly { path: string; display: string }[] }): Promise<TerraformResult> {
  const hcl = input.files.length > 0 ? await (await import('./config.js')).readConfigurations(input.files) : { roots: [], problems: [] };
  const r = await translatePlans(input.plans, hcl.roots);
  r.problems.push(...hcl.problems);
  return r;
}
