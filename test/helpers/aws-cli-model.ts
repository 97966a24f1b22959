/**
 * The AWS CLI's command and parameter names, derived from the AWS SDK for JavaScript v3 client
 * packages installed for the collectors: the CLI's command is the kebab-case of the service model's
 * operation (botocore's `xform_name`), and `--param-name` the kebab-case of the operation's input
 * member (booleans also take `--no-param-name`). The members are read from the input example each
 * command's type declaration carries (`const input = { // <Operation>Request`), with `// required`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SDK = new URL('../../node_modules/@aws-sdk/', import.meta.url).pathname;

/** CLI service name → SDK client package. */
const CLIENTS: Record<string, string> = {
  eks: 'client-eks', ec2: 'client-ec2', iam: 'client-iam', kms: 'client-kms', logs: 'client-cloudwatch-logs', cloudwatch: 'client-cloudwatch',
  cloudtrail: 'client-cloudtrail', guardduty: 'client-guardduty', securityhub: 'client-securityhub', configservice: 'client-config-service',
  ecr: 'client-ecr', inspector2: 'client-inspector2', signer: 'client-signer', wafv2: 'client-wafv2', elbv2: 'client-elastic-load-balancing-v2',
  cloudformation: 'client-cloudformation', codepipeline: 'client-codepipeline', sts: 'client-sts', secretsmanager: 'client-secrets-manager',
  grafana: 'client-grafana', autoscaling: 'client-auto-scaling',
};

/** Options every AWS CLI command accepts (global options and the pagination options of list calls). */
export const GLOBAL_OPTIONS = new Set([
  '--region', '--profile', '--output', '--query', '--no-cli-pager', '--cli-auto-prompt', '--endpoint-url', '--debug', '--no-paginate', '--cli-input-json',
  '--cli-input-yaml', '--generate-cli-skeleton', '--max-items', '--starting-token', '--page-size', '--color', '--no-verify-ssl', '--cli-read-timeout',
  '--cli-connect-timeout', '--no-sign-request', '--ca-bundle', '--cli-binary-format',
]);

/**
 * Commands the AWS CLI adds to the service models (customizations), with their parameters, from the
 * CLI's documented syntax. Only the ones the catalog or fixes use.
 */
const CUSTOMIZATIONS: Record<string, Record<string, { params: string[] }>> = {
  eks: { 'update-kubeconfig': { params: ['--name', '--kubeconfig', '--role-arn', '--alias', '--user-alias', '--dry-run', '--verbose'] }, 'get-token': { params: ['--cluster-name', '--role-arn', '--cluster-id'] } },
  ecr: { 'get-login-password': { params: [] } },
  logs: { tail: { params: ['--since', '--follow', '--format', '--filter-pattern', '--log-stream-names', '--log-stream-name-prefix'] } },
};

/**
 * Parameters the AWS CLI adds to modelled commands, from the CLI's documented syntax: AWS Config's
 * `--recording-group` (split out of `--configuration-recorder` by a customization).
 */
const EXTRA_PARAMS: Record<string, string[]> = { 'configservice put-configuration-recorder': ['--recording-group', '--recording-mode'] };

/**
 * Members the CLI renames because the name is taken by a global option (`--version`): the EKS
 * commands take `--kubernetes-version` (the CLI reference's synopsis of each command).
 */
const RENAMES: Record<string, Record<string, string>> = {
  'eks create-cluster': { '--version': '--kubernetes-version' },
  'eks update-cluster-version': { '--version': '--kubernetes-version' },
  'eks create-nodegroup': { '--version': '--kubernetes-version' },
  'eks update-nodegroup-version': { '--version': '--kubernetes-version' },
};

/** Structure members the CLI exposes as a pair of flags (`--x` / `--no-x`) instead of a structure. */
const BOOLEAN_STRUCTS: Record<string, string[]> = { 'ec2 modify-subnet-attribute': ['map-public-ip-on-launch', 'assign-ipv6-address-on-creation', 'enable-dns64'] };

/** botocore's xform_name with '-' as the separator. */
export function xformName(name: string): string {
  let n = name;
  const special = /[A-Z]{2,}s$/.exec(n);
  if (special) n = `${n.slice(0, -special[0].length)}_${special[0].toLowerCase()}`;
  n = n.replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return n.replace(/_/g, '-');
}

export interface OperationModel {
  operation: string;
  /** Parameter → whether it is required. */
  params: Map<string, { required: boolean; boolean: boolean }>;
}

const cache = new Map<string, Map<string, OperationModel> | null>();

/** The operations of a CLI service (by CLI command name); null when no SDK model is installed. */
export function serviceModel(service: string): Map<string, OperationModel> | null {
  if (cache.has(service)) return cache.get(service)!;
  const pkg = CLIENTS[service];
  const dir = pkg ? join(SDK, pkg, 'dist-types', 'commands') : '';
  if (!pkg || !existsSync(dir)) { cache.set(service, null); return null; }
  const ops = new Map<string, OperationModel>();
  for (const f of readdirSync(dir)) {
    const m = /^(\w+)Command\.d\.ts$/.exec(f);
    if (!m) continue;
    const text = readFileSync(join(dir, f), 'utf8');
    const params = new Map<string, { required: boolean; boolean: boolean }>();
    const start = text.indexOf(' * const input = {');
    if (start !== -1) {
      const end = text.indexOf('\n * };', start);
      for (const line of text.slice(start, end).split('\n').slice(1)) {
        const mm = /^ \* {3}(\w+): (.*)$/.exec(line);
        if (mm) params.set(`--${xformName(mm[1]!)}`, { required: /\/\/ required/.test(mm[2]!), boolean: /^true \|\| false/.test(mm[2]!) });
      }
    }
    ops.set(xformName(m[1]!), { operation: m[1]!, params });
  }
  cache.set(service, ops);
  return ops;
}

/** Waiter names of a service (`cluster-active`) and the operation each polls. */
function waiters(service: string): Map<string, string> {
  const out = new Map<string, string>();
  const pkg = CLIENTS[service];
  const dir = pkg ? join(SDK, pkg, 'dist-types', 'waiters') : '';
  if (!pkg || !existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const m = /^waitFor(\w+)\.d\.ts$/.exec(f);
    if (!m) continue;
    const op = /type (\w+)CommandInput/.exec(readFileSync(join(dir, f), 'utf8'))?.[1];
    if (op) out.set(xformName(m[1]!), xformName(op));
  }
  return out;
}

/** Shell words of a command line (quotes removed), for the checks; `$(...)` parts split off. */
export function awsInvocations(line: string): string[][] {
  const out: string[][] = [];
  // Split at shell control operators and command substitutions, outside quotes.
  const segments: string[] = [];
  let cur = '';
  let q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (q) { cur += c; if (c === q) q = null; else if (c === '\\' && q === '"') { cur += line[++i] ?? ''; } continue; }
    if (c === "'" || c === '"') { q = c; cur += c; continue; }
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) { const nl = line.indexOf('\n', i); if (nl === -1) break; i = nl - 1; continue; }
    if (c === '$' && line[i + 1] === '(') { segments.push(cur); cur = ''; i++; continue; }
    if (c === ')' || c === ';' || c === '|' || c === '&' || c === '\n' || c === '`') { segments.push(cur); cur = ''; continue; }
    cur += c;
  }
  segments.push(cur);
  for (const seg of segments) {
    const words = shellWords(seg.trim());
    const at = words.findIndex((w, i) => w === 'aws' && (i === 0 || ['do', 'then', 'echo', 'time', 'exec'].includes(words[i - 1]!) || /^[A-Z_]+=/.test(words[i - 1]!)));
    if (at !== -1) out.push(words.slice(at));
  }
  return out;
}

function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) { if (c === q) q = null; else if (c === '\\' && q === '"') cur += s[++i] ?? ''; else cur += c; continue; }
    if (c === "'" || c === '"') { q = c; has = true; continue; }
    if (/\s/.test(c)) { if (has || cur) out.push(cur); cur = ''; has = false; continue; }
    cur += c;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Problems with one `aws ...` invocation (empty when it is a valid AWS CLI call). */
export function checkInvocation(words: readonly string[]): string[] {
  const [, service, command, ...rest] = words;
  if (!service || !command) return ['no service or command'];
  const problems: string[] = [];
  const custom = CUSTOMIZATIONS[service]?.[command];
  const model = serviceModel(service);
  if (!model && !custom) return [`no SDK model installed for service "${service}" (add its client package or a customization entry)`];
  let params: Map<string, { required: boolean; boolean: boolean }>;
  let args = rest;
  if (custom) {
    params = new Map(custom.params.map((p) => [p, { required: false, boolean: false }]));
  } else if (command === 'wait') {
    const waiter = rest[0];
    const op = waiter ? waiters(service).get(waiter) : undefined;
    if (!op) return [`${service} has no waiter "${waiter ?? ''}"`];
    params = model!.get(op)!.params;
    args = rest.slice(1);
  } else {
    const op = model!.get(command);
    if (!op) return [`${service} has no command "${command}"`];
    params = new Map(op.params);
    for (const [from, to] of Object.entries(RENAMES[`${service} ${command}`] ?? {})) {
      const p = params.get(from);
      if (p) { params.delete(from); params.set(to, p); }
    }
    for (const extra of EXTRA_PARAMS[`${service} ${command}`] ?? []) params.set(extra, { required: false, boolean: false });
  }
  const booleanStructs = BOOLEAN_STRUCTS[`${service} ${command}`] ?? [];
  const given = new Set<string>();
  for (const a of args) {
    if (!a.startsWith('--')) continue;
    const name = a.split('=')[0]!;
    given.add(name);
    if (GLOBAL_OPTIONS.has(name) || params.has(name)) continue;
    if (name.startsWith('--no-') && (params.get(`--${name.slice(5)}`)?.boolean || booleanStructs.includes(name.slice(5)))) continue;
    if (booleanStructs.includes(name.slice(2))) continue;
    problems.push(`${service} ${command} has no parameter ${name}`);
  }
  // `...` stands for arguments left out on purpose (a sketch of a command to adapt).
  if (!given.has('--cli-input-json') && !given.has('--cli-input-yaml') && !args.includes('...')) {
    for (const [p, info] of params) if (info.required && !given.has(p)) problems.push(`${service} ${command} needs ${p}`);
  }
  return problems;
}
