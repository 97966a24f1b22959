import type { AwsFact, Evidence } from '../../model/index.js';
import { wildcardMatch } from '../../model/index.js';
import type { Cluster } from '@aws-sdk/client-eks';
import { nodegroups, out } from './aws.js';

/**
 * IAM policy and trust documents, parsed into one regular shape, plus the fact accessors every
 * control that reads IAM roles needs. Pure functions: no I/O.
 *
 * IAM returns policy documents URL-encoded (`%7B%22Version%22...`) from `GetRole`,
 * `GetRolePolicy` and `GetPolicyVersion`; the AWS CLI prints them decoded, and offline evidence may
 * hold either form or an already-parsed object. Every element that may be a single value or a list
 * (`Statement`, `Action`, `Resource`, `Principal.AWS`, condition values) is normalised to a list.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html
 */

export interface Principals {
  /** `"Principal": "*"` or `{"AWS": "*"}`. */
  all: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
}

export interface ConditionEntry {
  /** As written, e.g. `ForAnyValue:StringLike`, `StringEqualsIfExists`. */
  operator: string;
  /** The operator without set qualifier and `IfExists`: `StringLike`. */
  base: string;
  qualifier?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** Condition key as written (keys are case-insensitive; compare with `sameKey`). */
  key: string;
  values: string[];
}

export interface PolicyStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  notActions: string[];
  resources: string[];
  notResources: string[];
  /** Undefined when the statement has no `Principal` element (identity policies). */
  principal?: Principals;
  notPrincipal?: Principals;
  conditions: ConditionEntry[];
}

export interface PolicyDocument {
  version?: string;
  statements: PolicyStatement[];
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const strings = (v: unknown): string[] => asList(v).filter((x): x is string | number | boolean => ['string', 'number', 'boolean'].includes(typeof x)).map(String);
const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Decode a document given as JSON text, URL-encoded JSON text, or an object. */
export function decodeDocument(input: unknown): Record<string, unknown> | undefined {
  if (isObj(input)) return input;
  if (typeof input !== 'string') return undefined;
  const text = input.trim();
  const attempts = [text];
  if (/%[0-9a-fA-F]{2}/.test(text)) {
    try { attempts.push(decodeURIComponent(text)); } catch { /* not URL-encoded after all */ }
  }
  for (const t of attempts) {
    try {
      const v: unknown = JSON.parse(t);
      if (isObj(v)) return v;
    } catch { /* try the next form */ }
  }
  return undefined;
}

function principals(v: unknown): Principals | undefined {
  if (v === undefined || v === null) return undefined;
  const p: Principals = { all: false, aws: [], service: [], federated: [], canonicalUser: [] };
  if (v === '*') { p.all = true; return p; }
  if (!isObj(v)) return p;
  for (const [k, val] of Object.entries(v)) {
    const list = strings(val);
    switch (k.toLowerCase()) {
      case 'aws': p.aws.push(...list); if (list.includes('*')) p.all = true; break;
      case 'service': p.service.push(...list); break;
      case 'federated': p.federated.push(...list); break;
      case 'canonicaluser': p.canonicalUser.push(...list); break;
      default: break;
    }
  }
  return p;
}

function conditions(v: unknown): ConditionEntry[] {
  if (!isObj(v)) return [];
  const list: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(v)) {
    if (!isObj(block)) continue;
    let base = operator;
    let qualifier: ConditionEntry['qualifier'];
    const colon = base.indexOf(':');
    if (colon !== -1) {
      const q = base.slice(0, colon);
      if (q === 'ForAnyValue' || q === 'ForAllValues') qualifier = q;
      base = base.slice(colon + 1);
    }
    const ifExists = base.endsWith('IfExists');
    if (ifExists) base = base.slice(0, -'IfExists'.length);
    for (const [key, values] of Object.entries(block)) {
      list.push({ operator, base, ...(qualifier ? { qualifier } : {}), ifExists, key, values: strings(values) });
    }
  }
  return list;
}

/** Parse an IAM policy or trust document; undefined when it is not a readable policy. */
export function parsePolicyDocument(input: unknown): PolicyDocument | undefined {
  const doc = decodeDocument(input);
  if (!doc) return undefined;
  const raw = asList(doc.Statement);
  if (raw.length === 0 && doc.Statement === undefined) return undefined;
  const statements: PolicyStatement[] = [];
  for (const s of raw) {
    if (!isObj(s)) continue;
    const principal = principals(s.Principal);
    const notPrincipal = principals(s.NotPrincipal);
    statements.push({
      ...(typeof s.Sid === 'string' ? { sid: s.Sid } : {}),
      effect: s.Effect === 'Deny' ? 'Deny' : 'Allow',
      actions: strings(s.Action),
      notActions: strings(s.NotAction),
      resources: strings(s.Resource),
      notResources: strings(s.NotResource),
      ...(principal ? { principal } : {}),
      ...(notPrincipal ? { notPrincipal } : {}),
      conditions: conditions(s.Condition),
    });
  }
  return { ...(typeof doc.Version === 'string' ? { version: doc.Version } : {}), statements };
}

/** IAM wildcard match (`*`, `?`), case-insensitive as for actions and condition keys. */
export function iamMatch(pattern: string, value: string, caseInsensitive = true): boolean {
  if (pattern === '*') return true;
  return wildcardMatch(pattern, value, { caseInsensitive });
}

/** True when an Allow/Deny statement covers `action` (honours NotAction). */
export function statementCoversAction(s: PolicyStatement, action: string): boolean {
  if (s.actions.length) return s.actions.some((a) => iamMatch(a, action));
  if (s.notActions.length) return !s.notActions.some((a) => iamMatch(a, action));
  return false;
}

/** True when the statement's resources cover every resource (`*`). */
export function coversAllResources(s: PolicyStatement): boolean {
  if (s.notResources.length) return true; // NotResource grants everything except a list
  return s.resources.includes('*');
}

/** Full administrator grant: Allow `*` (or `*:*`) on `*`. */
export function isAdminStatement(s: PolicyStatement): boolean {
  return s.effect === 'Allow' && s.actions.some((a) => a === '*' || a === '*:*') && coversAllResources(s);
}

/**
 * Broad grants short of admin: a whole service (`s3:*`) on every resource, or an Allow with
 * NotAction on every resource (everything except a few services).
 */
export function broadGrants(doc: PolicyDocument): string[] {
  const found: string[] = [];
  for (const s of doc.statements) {
    if (s.effect !== 'Allow' || !coversAllResources(s) || isAdminStatement(s)) continue;
    for (const a of s.actions) if (/^[\w-]+:\*$/.test(a)) found.push(a);
    if (s.notActions.length) found.push(`NotAction ${s.notActions.join(',')}`);
  }
  return found;
}

export function hasAdminGrant(doc: PolicyDocument): boolean {
  return doc.statements.some(isAdminStatement);
}

/** Condition key names are case-insensitive. */
export function sameKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Conditions of a statement for `key` whose base operator is one of `operators`. */
export function conditionsFor(s: PolicyStatement, key: string, operators?: readonly string[]): ConditionEntry[] {
  return s.conditions.filter((c) => sameKey(c.key, key) && (!operators || operators.includes(c.base)));
}

/** Allow statements whose principal includes the service (e.g. `pods.eks.amazonaws.com`). */
export function serviceTrustStatements(doc: PolicyDocument, service: string): PolicyStatement[] {
  return doc.statements.filter((s) => s.effect === 'Allow' && s.principal && (s.principal.service.includes(service) || s.principal.all));
}

/** Allow statements for `sts:AssumeRoleWithWebIdentity` whose federated principal is the provider. */
export function webIdentityStatements(doc: PolicyDocument, providerArnOrHost: string): PolicyStatement[] {
  const host = providerHost(providerArnOrHost);
  return doc.statements.filter((s) => s.effect === 'Allow'
    && statementCoversAction(s, 'sts:AssumeRoleWithWebIdentity')
    && (s.principal?.federated ?? []).some((f) => providerHost(f) === host));
}

/** `oidc.eks.<region>.amazonaws.com/id/<ID>` from an issuer URL or an OIDC provider ARN. */
export function providerHost(issuerOrArn: string): string {
  const s = issuerOrArn.trim();
  const arn = /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/(.+)$/.exec(s);
  const host = arn ? arn[1]! : s.replace(/^https?:\/\//, '');
  return host.replace(/\/+$/, '').toLowerCase();
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** The part after the account: `role/path/name`, `user/name`, `policy/Name`. */
  resource: string;
}

export function parseArn(arn: string | undefined): ParsedArn | undefined {
  if (!arn) return undefined;
  const m = /^arn:(aws[\w-]*):([\w-]+):([\w-]*):(\d{12}|aws|):(.+)$/.exec(arn.trim());
  return m ? { partition: m[1]!, service: m[2]!, region: m[3]!, accountId: m[4]!, resource: m[5]! } : undefined;
}

/** Role name from a role ARN (path dropped) or the name itself. */
export function roleNameFromArn(arnOrName: string): string {
  const p = parseArn(arnOrName);
  if (!p) return arnOrName;
  const parts = p.resource.split('/');
  return parts[parts.length - 1] ?? arnOrName;
}

/** Canonical principal ARN: paths dropped (`role/a/b/name` → `role/name`), STS assumed-role → role. */
export function canonicalPrincipalArn(arn: string): string {
  const p = parseArn(arn);
  if (!p || (p.service !== 'iam' && p.service !== 'sts')) return arn.trim();
  const [type, ...rest] = p.resource.split('/');
  if (p.service === 'sts' && type === 'assumed-role' && rest[0]) return `arn:${p.partition}:iam::${p.accountId}:role/${rest[0]}`;
  const name = rest[rest.length - 1];
  return name && (type === 'role' || type === 'user') ? `arn:${p.partition}:iam::${p.accountId}:${type}/${name}` : arn.trim();
}

export function isIamUserArn(arn: string): boolean {
  return parseArn(arn)?.resource.startsWith('user/') === true;
}

/** IAM Identity Center permission-set roles (`AWSReservedSSO_<set>_<hash>`). */
export function isSsoRoleArn(arn: string): boolean {
  return /(^|\/)AWSReservedSSO_/.test(parseArn(arn)?.resource ?? arn);
}

/** AWS managed policies that grant (near-)administrator access. */
export const ADMIN_MANAGED_POLICIES: ReadonlySet<string> = new Set(['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess', 'AdministratorAccess-Amplify']);

/** Policy name from a managed policy ARN (`arn:aws:iam::aws:policy/service-role/X` → `X`). */
export function policyNameFromArn(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

export function isAwsManagedPolicy(arn: string): boolean {
  return /^arn:aws[\w-]*:iam::aws:policy\//.test(arn);
}

// ---------------------------------------------------------------------------------------------
// Fact accessors. They read `iam:*` operations: the calling control must declare each one it uses
// (requires/optional), otherwise the engine rejects the read.

export interface RoleInfo {
  roleName: string;
  arn?: string;
  /** Raw trust policy (URL-encoded string as IAM returns it). */
  trustPolicy?: unknown;
  createDate?: string;
}

/** The role from `iam:GetRole` matching an ARN (path-insensitive) or a role name. */
export function getRole(ev: Evidence, arnOrName: string): RoleInfo | undefined {
  const name = roleNameFromArn(arnOrName).toLowerCase();
  for (const f of ev.aws('iam:GetRole')) {
    const r = out<{ Role?: { RoleName?: string; Arn?: string; AssumeRolePolicyDocument?: unknown; CreateDate?: string } }>(f)?.Role;
    const rn = r?.RoleName ?? (typeof f.params?.RoleName === 'string' ? f.params.RoleName : undefined);
    if (!r || !rn || rn.toLowerCase() !== name) continue;
    // When an ARN was given, also require the account to match (roles of other accounts share names).
    const want = parseArn(arnOrName);
    const have = parseArn(r.Arn);
    if (want && have && want.accountId !== have.accountId) continue;
    return { roleName: rn, ...(r.Arn ? { arn: r.Arn } : {}), ...(r.AssumeRolePolicyDocument !== undefined ? { trustPolicy: r.AssumeRolePolicyDocument } : {}), ...(r.CreateDate ? { createDate: String(r.CreateDate) } : {}) };
  }
  return undefined;
}

function paramRole(f: AwsFact): string | undefined {
  const v = f.params?.RoleName;
  return typeof v === 'string' ? v.toLowerCase() : undefined;
}

export interface ManagedPolicyRef {
  name: string;
  arn: string;
  /** The default version's document when `iam:GetPolicyVersion` was collected for it. */
  document?: PolicyDocument;
  /** The document was collected but could not be parsed. */
  unreadable?: boolean;
}

export interface InlinePolicy {
  name: string;
  document?: PolicyDocument;
  unreadable?: boolean;
}

export interface RolePermissions {
  /** Whether `ListAttachedRolePolicies` was seen for the role (else `attached` is unknown). */
  attachedKnown: boolean;
  attached: ManagedPolicyRef[];
  /** Whether `ListRolePolicies` was seen for the role (else inline names come from GetRolePolicy only). */
  inlineKnown: boolean;
  inline: InlinePolicy[];
}

/** The default version document of a managed policy (`iam:GetPolicy` + `iam:GetPolicyVersion`). */
export function managedPolicyDocument(ev: Evidence, policyArn: string, opts: { getPolicy: boolean; getPolicyVersion: boolean }): { document?: PolicyDocument; unreadable?: boolean } {
  if (!opts.getPolicyVersion) return {};
  let versionId: string | undefined;
  if (opts.getPolicy) {
    for (const f of ev.aws('iam:GetPolicy')) {
      const p = out<{ Policy?: { Arn?: string; DefaultVersionId?: string } }>(f)?.Policy;
      if (p?.Arn === policyArn) versionId = p.DefaultVersionId;
    }
  }
  for (const f of ev.aws('iam:GetPolicyVersion')) {
    if (f.params?.PolicyArn !== policyArn) continue;
    const v = out<{ PolicyVersion?: { Document?: unknown; VersionId?: string; IsDefaultVersion?: boolean } }>(f)?.PolicyVersion;
    if (!v) continue;
    const vid = v.VersionId ?? (typeof f.params?.VersionId === 'string' ? f.params.VersionId : undefined);
    if (versionId ? vid !== versionId : v.IsDefaultVersion === false) continue;
    const doc = parsePolicyDocument(v.Document);
    return doc ? { document: doc } : { unreadable: true };
  }
  return {};
}

/**
 * Attached and inline policies of a role. `ops` says which IAM operations the caller declared, so
 * that nothing undeclared is read.
 */
export function rolePermissions(
  ev: Evidence,
  roleName: string,
  ops: { listAttached: boolean; listInline: boolean; getRolePolicy: boolean; getPolicy: boolean; getPolicyVersion: boolean },
): RolePermissions {
  const rn = roleName.toLowerCase();
  const res: RolePermissions = { attachedKnown: false, attached: [], inlineKnown: false, inline: [] };
  if (ops.listAttached) {
    for (const f of ev.aws('iam:ListAttachedRolePolicies')) {
      if (paramRole(f) !== rn) continue;
      res.attachedKnown = true;
      for (const p of out<{ AttachedPolicies?: { PolicyName?: string; PolicyArn?: string }[] }>(f)?.AttachedPolicies ?? []) {
        if (!p.PolicyArn) continue;
        res.attached.push({ name: p.PolicyName ?? policyNameFromArn(p.PolicyArn), arn: p.PolicyArn, ...managedPolicyDocument(ev, p.PolicyArn, ops) });
      }
    }
  }
  const names = new Set<string>();
  if (ops.listInline) {
    for (const f of ev.aws('iam:ListRolePolicies')) {
      if (paramRole(f) !== rn) continue;
      res.inlineKnown = true;
      for (const n of out<{ PolicyNames?: string[] }>(f)?.PolicyNames ?? []) names.add(n);
    }
  }
  const docs = new Map<string, InlinePolicy>();
  if (ops.getRolePolicy) {
    for (const f of ev.aws('iam:GetRolePolicy')) {
      const o = out<{ RoleName?: string; PolicyName?: string; PolicyDocument?: unknown }>(f);
      const owner = (o?.RoleName ?? (typeof f.params?.RoleName === 'string' ? f.params.RoleName : '')).toLowerCase();
      const name = o?.PolicyName ?? (typeof f.params?.PolicyName === 'string' ? f.params.PolicyName : undefined);
      if (owner !== rn || !name) continue;
      const doc = parsePolicyDocument(o?.PolicyDocument);
      docs.set(name, doc ? { name, document: doc } : { name, unreadable: true });
      names.add(name);
    }
  }
  for (const n of names) res.inline.push(docs.get(n) ?? { name: n });
  return res;
}

/** Admin and broad grants found in a role's policies, in words. */
export function privilegeSummary(perms: RolePermissions): { admin: string[]; broad: string[]; unreadable: string[] } {
  const admin: string[] = [];
  const broad: string[] = [];
  const unreadable: string[] = [];
  for (const p of perms.attached) {
    if (isAwsManagedPolicy(p.arn) && ADMIN_MANAGED_POLICIES.has(p.name)) admin.push(`managed policy ${p.name}`);
    else if (p.document) {
      if (hasAdminGrant(p.document)) admin.push(`policy ${p.name} allows "*" on "*"`);
      else { const b = broadGrants(p.document); if (b.length) broad.push(`policy ${p.name}: ${b.join(', ')} on "*"`); }
    } else if (p.unreadable) unreadable.push(`policy ${p.name}`);
    else if (isAwsManagedPolicy(p.arn) && /FullAccess$/.test(p.name)) broad.push(`managed policy ${p.name}`);
  }
  for (const p of perms.inline) {
    if (p.document) {
      if (hasAdminGrant(p.document)) admin.push(`inline policy ${p.name} allows "*" on "*"`);
      else { const b = broadGrants(p.document); if (b.length) broad.push(`inline policy ${p.name}: ${b.join(', ')} on "*"`); }
    } else if (p.unreadable) unreadable.push(`inline policy ${p.name}`);
  }
  return { admin, broad, unreadable };
}

// ---------------------------------------------------------------------------------------------
// Credential report (iam:GetCredentialReport): CSV, base64 in the SDK/CLI JSON output.

export type CredentialReportRow = Record<string, string>;

/** Decode `GetCredentialReport.Content`: base64 text, plain CSV text, or a byte array. */
export function credentialReportText(content: unknown): string | undefined {
  if (typeof content === 'string') {
    const t = content.trim();
    if (/^user,/.test(t)) return t;
    if (/^[A-Za-z0-9+/=\s]+$/.test(t)) {
      const decoded = Buffer.from(t, 'base64').toString('utf8');
      return /^user,/.test(decoded) ? decoded : undefined;
    }
    return undefined;
  }
  if (Array.isArray(content) && content.every((b) => typeof b === 'number')) return Buffer.from(content as number[]).toString('utf8');
  if (isObj(content)) {
    // A Uint8Array serialised by JSON.stringify: {"0":117,"1":115,...}
    const bytes = Object.keys(content).sort((a, b) => Number(a) - Number(b)).map((k) => content[k]);
    if (bytes.length && bytes.every((b) => typeof b === 'number')) return Buffer.from(bytes as number[]).toString('utf8');
  }
  return undefined;
}

/** Parse the credential report CSV (no quoted fields in this report, but handled anyway). */
export function parseCredentialReport(text: string): CredentialReportRow[] | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const split = (line: string): string[] => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]!;
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    return cells;
  };
  const header = split(lines[0]!).map((h) => h.trim());
  if (!header.includes('user') || !header.includes('mfa_active')) return undefined;
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, (cells[i] ?? '').trim()]));
  });
}

// ---------------------------------------------------------------------------------------------
// EKS node roles.

/**
 * AWS managed policies a worker-node role is expected to carry. Anything else on the node role is
 * reachable by every pod that can read the instance metadata (P1-IAM-07).
 * https://docs.aws.amazon.com/eks/latest/userguide/create-node-role.html
 */
export const NODE_ROLE_BASELINE: ReadonlySet<string> = new Set([
  'AmazonEKSWorkerNodePolicy', 'AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryReadOnly',
  'AmazonEC2ContainerRegistryPullOnly', 'AmazonEKS_CNI_Policy', 'AmazonSSMManagedInstanceCore',
]);

/** Policies on a node role beyond the baseline (managed ones by name, inline ones always). */
export function nodeRoleExtras(perms: RolePermissions): string[] {
  const extra: string[] = [];
  for (const p of perms.attached) if (!(isAwsManagedPolicy(p.arn) && NODE_ROLE_BASELINE.has(p.name))) extra.push(isAwsManagedPolicy(p.arn) ? `managed policy ${p.name}` : `customer policy ${p.name}`);
  for (const p of perms.inline) extra.push(`inline policy ${p.name}`);
  return extra;
}

/** Node IAM roles: managed node groups, Auto Mode, Karpenter/Auto Mode node classes. */
export function nodeRoleNames(ev: Evidence, cluster: Cluster | undefined, opts: { nodegroups: boolean; nodeClasses: boolean }): string[] {
  const names = new Set<string>();
  if (opts.nodegroups) for (const ng of nodegroups(ev)) if (ng.nodeRole) names.add(roleNameFromArn(ng.nodeRole));
  if (cluster?.computeConfig?.nodeRoleArn) names.add(roleNameFromArn(cluster.computeConfig.nodeRoleArn));
  if (opts.nodeClasses) {
    for (const kind of ['karpenter.k8s.aws/EC2NodeClass', 'eks.amazonaws.com/NodeClass']) {
      for (const nc of ev.objects(kind)) {
        const role = (nc.spec as { role?: unknown } | undefined)?.role;
        if (typeof role === 'string' && role) names.add(roleNameFromArn(role));
      }
    }
  }
  return [...names];
}

