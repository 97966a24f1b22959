/**
 * Builds `terraform show -json` plan documents for tests: resource changes with `after` and
 * `after_unknown`, and the configuration's references, shaped as Terraform 1.x writes them.
 */
export interface PlanResource {
  address: string;
  values: Record<string, unknown>;
  /** Paths (dot-separated, numbers for indices) whose value is known only after apply. */
  unknown?: string[];
  /** Configuration expressions: attribute path → references (as Terraform lists them). */
  refs?: Record<string, string[]>;
  actions?: string[];
  mode?: 'managed' | 'data';
}

function parseAddress(address: string): { module: string; type: string; name: string; index?: string } {
  const parts = address.split('.');
  let i = 0;
  const mod: string[] = [];
  while (parts[i] === 'module') { mod.push(`module.${parts[i + 1]}`); i += 2; }
  if (parts[i] === 'data') i++;
  const type = parts[i]!;
  const rest = parts.slice(i + 1).join('.');
  const m = /^([\w-]+)(\[.*\])?$/.exec(rest)!;
  return { module: mod.join('.'), type, name: m[1]!, ...(m[2] ? { index: m[2] } : {}) };
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const nextIsIndex = /^\d+$/.test(parts[i + 1]!);
    const key = Array.isArray(cur) ? Number(k) : k;
    let next = (cur as Record<string | number, unknown>)[key];
    if (next === undefined || next === true) {
      next = nextIsIndex ? [] : {};
      (cur as Record<string | number, unknown>)[key] = next;
    }
    cur = next as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  (cur as Record<string | number, unknown>)[Array.isArray(cur) ? Number(last) : last] = value;
}

export function plan(resources: PlanResource[], opts: { region?: string; formatVersion?: string; variables?: Record<string, unknown>; moduleCalls?: Record<string, unknown> } = {}): Record<string, unknown> {
  const configByModule = new Map<string, unknown[]>();
  const resourceChanges = resources.map((r) => {
    const a = parseAddress(r.address);
    const afterUnknown: Record<string, unknown> = {};
    const after = structuredClone(r.values);
    for (const u of r.unknown ?? []) setPath(afterUnknown, u, true);
    const expressions: Record<string, unknown> = {};
    for (const [path, references] of Object.entries(r.refs ?? {})) setPath(expressions, path, { references });
    const list = configByModule.get(a.module) ?? [];
    if (!list.some((x) => (x as { address: string }).address === `${a.type}.${a.name}`)) {
      list.push({ address: `${r.mode === 'data' ? 'data.' : ''}${a.type}.${a.name}`, mode: r.mode ?? 'managed', type: a.type, name: a.name, provider_config_key: 'aws', expressions });
    }
    configByModule.set(a.module, list);
    return {
      address: r.address, ...(a.module ? { module_address: a.module } : {}), mode: r.mode ?? 'managed', type: a.type, name: a.name,
      ...(a.index ? { index: JSON.parse(a.index.slice(1, -1).replace(/^([^"\d].*)$/, '"$1"')) } : {}),
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: r.actions ?? ['create'], before: null, after, after_unknown: afterUnknown, before_sensitive: false, after_sensitive: {} },
    };
  });
  const moduleCalls: Record<string, unknown> = { ...(opts.moduleCalls ?? {}) };
  for (const [mod, res] of configByModule) {
    if (!mod) continue;
    const name = mod.split('.')[1]!;
    const existing = (moduleCalls[name] ?? { source: `./modules/${name}` }) as Record<string, unknown>;
    moduleCalls[name] = { ...existing, module: { ...((existing.module as object) ?? {}), resources: res } };
  }
  return {
    format_version: opts.formatVersion ?? '1.2',
    terraform_version: '1.9.8',
    variables: Object.fromEntries(Object.entries(opts.variables ?? {}).map(([k, v]) => [k, { value: v }])),
    planned_values: { root_module: {} },
    resource_changes: resourceChanges,
    configuration: {
      provider_config: { aws: { name: 'aws', full_name: 'registry.terraform.io/hashicorp/aws', expressions: { region: { constant_value: opts.region ?? 'eu-west-1' } } } },
      root_module: { resources: configByModule.get('') ?? [], module_calls: moduleCalls },
    },
  };
}
