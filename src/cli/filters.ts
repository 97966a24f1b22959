/**
 * The filter flags of `scan`, `fix` and `report` (README "Filters"; semantics in engine/filters.ts):
 * `--namespace` / `--exclude-namespace` globs, `--skip-control`, `--skip-rule`, each repeatable or
 * comma-separated. A flag (or its EKS_SOC2_* variable) replaces the configuration file's list
 * (`namespaces`, `excludeNamespaces`, `skipControls`, `skipRules`).
 */
import type { Command } from 'commander';
import type { ControlDefinition, EffectiveConfig, RunFilters } from '../model/index.js';
import { EXIT, UserError } from './errors.js';

export interface FilterOptions {
  namespace?: string[];
  excludeNamespace?: string[];
  skipControl?: string[];
  skipRule?: string[];
}

const splitList = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

export function addFilterOptions(cmd: Command, what = 'findings'): Command {
  return cmd
    .option('--namespace <globs>', `only ${what} on objects in these namespaces (globs such as team-*; comma-separated or repeated); cluster-scoped and AWS ${what} are kept (config: namespaces)`, splitList)
    .option('--exclude-namespace <globs>', `no ${what} on objects in these namespaces (globs; comma-separated or repeated) (config: excludeNamespaces)`, splitList)
    .option('--skip-control <ids>', 'do not evaluate these controls: absent from the results and listed as skipped, never a pass (config: skipControls)', splitList)
    .option('--skip-rule <ids>', 'do not evaluate these rules: RULE in every control, or CONTROL/RULE; listed as skipped (config: skipRules)', splitList);
}

/** The filters of a run: flags over the configuration; control and rule ids checked against the catalog. */
export function resolveFilters(opts: FilterOptions, config: Pick<EffectiveConfig, 'filters'>, catalog: readonly ControlDefinition[]): RunFilters | undefined {
  const cfg = config.filters ?? {};
  const namespaces = opts.namespace ?? cfg.namespaces;
  const excludeNamespaces = opts.excludeNamespace ?? cfg.excludeNamespaces;
  const skipControls = (opts.skipControl ?? cfg.skipControls)?.map((c) => c.toUpperCase());
  const skipRules = opts.skipRule ?? cfg.skipRules;
  const byId = new Map(catalog.map((c) => [c.id, c]));
  for (const id of skipControls ?? []) if (!byId.has(id)) throw new UserError(`--skip-control: unknown control "${id}"; \`eks-soc2 controls\` lists them`, EXIT.USAGE);
  for (const r of skipRules ?? []) {
    const i = r.indexOf('/');
    if (i >= 0) {
      const c = byId.get(r.slice(0, i).toUpperCase());
      if (!c) throw new UserError(`--skip-rule: unknown control in "${r}"; \`eks-soc2 controls\` lists them`, EXIT.USAGE);
      if (!c.rules?.[r.slice(i + 1)]) throw new UserError(`--skip-rule: ${c.id} has no rule "${r.slice(i + 1)}"; its rules: ${Object.keys(c.rules ?? {}).join(', ') || 'none'}`, EXIT.USAGE);
    } else if (!catalog.some((c) => c.rules?.[r])) {
      throw new UserError(`--skip-rule: no control has a rule "${r}"; \`eks-soc2 controls\` lists the rules`, EXIT.USAGE);
    }
  }
  const f: RunFilters = {
    ...(namespaces?.length ? { namespaces } : {}), ...(excludeNamespaces?.length ? { excludeNamespaces } : {}),
    ...(skipControls?.length ? { skipControls } : {}), ...(skipRules?.length ? { skipRules } : {}),
  };
  return Object.keys(f).length ? f : undefined;
}

/** One line for stderr/terminal saying what the run left out, or undefined. */
export function describeFilters(f: RunFilters | undefined): string | undefined {
  if (!f) return undefined;
  const parts = [
    f.namespaces?.length ? `only namespaces ${f.namespaces.join(', ')}` : '',
    f.excludeNamespaces?.length ? `excluding namespaces ${f.excludeNamespaces.join(', ')}` : '',
    f.skipControls?.length ? `skipped controls ${f.skipControls.join(', ')}` : '',
    f.skipRules?.length ? `skipped rules ${f.skipRules.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length ? `filters: ${parts.join('; ')}` : undefined;
}
