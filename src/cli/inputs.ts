import { createReadStream } from 'node:fs';
import { isIP } from 'node:net';
import { LineCounter, parseDocument, isMap, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { z } from 'zod';
import type { Attestation, AttestationIssue, EffectiveConfig, Waiver, WaiverIssue } from '../model/index.js';
import { DEFAULT_SYSTEM_NAMESPACES, DEFAULT_THRESHOLDS, defaultConfig } from '../model/index.js';
import { UserError } from './errors.js';
import { WAIVER_PLACEHOLDER } from '../fix/waive.js';

const dateish = z.union([z.string(), z.date().transform((d) => d.toISOString().slice(0, 10))])
  .refine((s) => !Number.isNaN(Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)), { message: 'must be a date (YYYY-MM-DD) or an ISO timestamp' });

const thresholdsSchema = z.object({
  versionSupportWarningDays: z.number().int().min(0),
  failOnExtendedSupport: z.boolean(),
  maxClusterAdmins: z.number().int().min(0),
  kubeBenchMaxAgeDays: z.number().int().min(1),
  trivyCoveragePercent: z.number().min(0).max(100),
  trivyReportMaxAgeDays: z.number().int().min(1),
  meshCoveragePercent: z.number().min(0).max(100),
  gitopsCoveragePercent: z.number().min(0).max(100),
  autoscalingCoveragePercent: z.number().min(0).max(100),
  signedImagesPercent: z.number().min(0).max(100),
  logRetentionDays: z.number().int().min(1),
  imageScanMaxAgeDays: z.number().int().min(1),
  minSecurityMetricFilters: z.number().int().min(0),
  criticalVulnSlaDays: z.number().int().min(0),
  acceptGuardDutyRuntimeAsFalco: z.boolean(),
  requirePodSecurityGroups: z.boolean(),
}).partial().strict();

/** An IPv4 or IPv6 network in CIDR notation: a real address and a prefix length within its family. */
export function isCidr(s: string): boolean {
  const m = /^([^/\s]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const family = isIP(m[1]!);
  const prefix = Number(m[2]);
  return (family === 4 && prefix <= 32 && /^\d+(\.\d+){3}$/.test(m[1]!)) || (family === 6 && prefix <= 128 && !m[1]!.includes('%'));
}

const cidr = z.string().refine(isCidr, { message: 'must be a CIDR such as 203.0.113.0/24 (an IPv4 or IPv6 address and a prefix length of at most 32 or 128)' });

export const configSchema = z.object({
  systemNamespaces: z.array(z.string().min(1)).optional(),
  additionalSystemNamespaces: z.array(z.string().min(1)).optional(),
  thresholds: thresholdsSchema.optional(),
  approvedEndpointCidrs: z.array(cidr).optional(),
  scope: z.object({ serviceMesh: z.boolean().optional() }).strict().optional(),
  owners: z.record(z.string(), z.string().min(1)).optional(),
  clusterAdminAllowlist: z.array(z.string().min(1)).optional(),
  approvedRegistries: z.array(z.string().min(1)).optional(),
  knownClusters: z.array(z.string().min(1)).optional(),
  progressiveDeliveryNamespaces: z.array(z.string().min(1)).optional(),
  approvedTlsPolicies: z.array(z.string().min(1)).optional(),
  podSecurityGroupNamespaces: z.array(z.string().min(1)).optional(),
  failOnWarn: z.boolean().optional(),
  namespaces: z.array(z.string().min(1)).optional(),
  excludeNamespaces: z.array(z.string().min(1)).optional(),
  skipControls: z.array(z.string().regex(/^(CC\d|P1)-[A-Za-z]+-\d{2}$/, 'must be a control id such as CC5-HARD-03')).optional(),
  skipRules: z.array(z.string().min(1)).optional(),
}).strict();

/** `fix --waive` writes WAIVER_PLACEHOLDER into the fields a person must fill in; such an entry is never applied. */
const filledIn = (what: string) => z.string().min(1).refine((s) => !s.includes(WAIVER_PLACEHOLDER), { message: `still the placeholder written by \`eks-soc2 fix --waive\`: write the ${what}` });

const waiverSchema = z.object({
  id: z.string().min(1),
  control: z.string().regex(/^(CC\d|P1)-[A-Z]+-\d{2}$/, 'must be a control id such as CC5-HARD-03'),
  rule: z.string().min(1).optional(),
  resources: z.object({
    namespace: z.string().optional(),
    kind: z.string().optional(),
    name: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }).strict().optional(),
  reason: filledIn('reason the risk is accepted'),
  approvedBy: filledIn('approver'),
  expires: dateish,
}).strict();

const attestationSchema = z.object({
  control: z.string().regex(/^(CC\d|P1)-[A-Z]+-\d{2}$/, 'must be a control id such as CC8-VER-04'),
  statement: z.string().min(1),
  attestedBy: z.string().min(1),
  date: dateish,
  evidence: z.string().min(1).optional(),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters').optional(),
  validUntil: dateish,
}).strict();

function zodMessage(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top)'}: ${i.message}`).join('; ');
}

/** Largest configuration, waiver or attestation file read (they are hand-written lists). */
export const MAX_POLICY_FILE_BYTES = 16 * 2 ** 20;

class TooLarge extends Error {}

/** A file's text, refusing more than `max` bytes (a named pipe or /dev/zero given by mistake ends too). */
async function readBounded(path: string, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of createReadStream(path, { highWaterMark: 1 << 16 })) {
    size += (c as Buffer).length;
    if (size > max) throw new TooLarge();
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A YAML document as plain data; an alias bomb (or any other expansion failure) is a UserError naming the file. */
function toPlain(node: ReturnType<typeof parseDocument> | YamlNode, path: string, what: string, doc?: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc ? (node as YamlNode).toJS(doc, { maxAliasCount: 100 }) : (node as ReturnType<typeof parseDocument>).toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new UserError(`${path}: ${what} file cannot be read (${(err as Error).message.split('\n')[0]})`, 2, 'remove the YAML anchors and aliases that expand it');
  }
}

async function readYaml(path: string, what: string): Promise<{ doc: ReturnType<typeof parseDocument>; lc: LineCounter }> {
  let text: string;
  try {
    text = await readBounded(path, MAX_POLICY_FILE_BYTES);
  } catch (err) {
    if (err instanceof TooLarge) throw new UserError(`${what} file ${path} is larger than ${MAX_POLICY_FILE_BYTES / 2 ** 20} MiB; not read`, 2, `check that ${path} is the ${what} file`);
    throw new UserError(`cannot read ${what} file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new UserError(`${path}:${e.linePos?.[0]?.line ?? 1}: ${what} file is not valid YAML (${e.message.split('\n')[0]})`);
  }
  return { doc, lc };
}

/** Load and validate `eks-soc2.yaml`; every problem is reported with its path in the file. */
export async function loadConfig(path: string | undefined): Promise<EffectiveConfig> {
  const cfg = defaultConfig();
  if (!path) return cfg;
  const { doc } = await readYaml(path, 'configuration');
  const raw = toPlain(doc, path, 'configuration') ?? {};
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new UserError(`${path}: invalid configuration — ${zodMessage(parsed.error)}`, 2, 'see README "Configuration" for the fields');
  const c = parsed.data;
  if (c.systemNamespaces) cfg.systemNamespaces = [...c.systemNamespaces];
  else cfg.systemNamespaces = [...DEFAULT_SYSTEM_NAMESPACES];
  if (c.additionalSystemNamespaces) cfg.systemNamespaces.push(...c.additionalSystemNamespaces);
  cfg.thresholds = { ...DEFAULT_THRESHOLDS, ...(c.thresholds ?? {}) } as EffectiveConfig['thresholds'];
  if (c.approvedEndpointCidrs) cfg.approvedEndpointCidrs = c.approvedEndpointCidrs;
  if (c.scope?.serviceMesh !== undefined) cfg.scope.serviceMesh = c.scope.serviceMesh;
  if (c.owners) cfg.owners = c.owners;
  if (c.clusterAdminAllowlist) cfg.clusterAdminAllowlist = c.clusterAdminAllowlist;
  if (c.approvedRegistries) cfg.approvedRegistries = c.approvedRegistries;
  if (c.knownClusters) cfg.knownClusters = c.knownClusters;
  if (c.progressiveDeliveryNamespaces) cfg.progressiveDeliveryNamespaces = c.progressiveDeliveryNamespaces;
  if (c.approvedTlsPolicies) cfg.approvedTlsPolicies = c.approvedTlsPolicies;
  if (c.podSecurityGroupNamespaces) cfg.podSecurityGroupNamespaces = c.podSecurityGroupNamespaces;
  if (c.failOnWarn !== undefined) cfg.failOnWarn = c.failOnWarn;
  if (c.namespaces || c.excludeNamespaces || c.skipControls || c.skipRules) {
    cfg.filters = {
      ...(c.namespaces ? { namespaces: c.namespaces } : {}), ...(c.excludeNamespaces ? { excludeNamespaces: c.excludeNamespaces } : {}),
      ...(c.skipControls ? { skipControls: c.skipControls } : {}), ...(c.skipRules ? { skipRules: c.skipRules } : {}),
    };
  }
  return cfg;
}

/** Entries of a top-level list (or of `key:` in a mapping), each with its line. */
function entries(doc: ReturnType<typeof parseDocument>, lc: LineCounter, key: string, path: string): { value: unknown; line: number }[] {
  let seq: YamlNode | null | undefined = doc.contents as YamlNode | null;
  if (isMap(seq)) seq = seq.get(key, true) as YamlNode | undefined;
  if (seq === null || seq === undefined) return [];
  if (!isSeq(seq)) throw new UserError(`${path}: expected a list under "${key}:"`);
  return seq.items.map((n) => ({ value: toPlain(n as YamlNode, path, key, doc), line: (n as YamlNode).range ? lc.linePos((n as YamlNode).range![0]).line : 1 }));
}

/** Load waivers; malformed entries are reported (with line) and skipped, valid ones kept. */
export async function loadWaivers(path: string): Promise<{ waivers: Waiver[]; issues: WaiverIssue[] }> {
  const { doc, lc } = await readYaml(path, 'waivers');
  const waivers: Waiver[] = [];
  const issues: WaiverIssue[] = [];
  const seen = new Set<string>();
  for (const { value, line } of entries(doc, lc, 'waivers', path)) {
    const r = waiverSchema.safeParse(value);
    const source = { file: path, line };
    if (!r.success) {
      const id = value && typeof value === 'object' && 'id' in value ? String((value as { id: unknown }).id) : undefined;
      issues.push({ ...(id ? { id } : {}), problem: 'invalid', message: `invalid waiver${id ? ` ${id}` : ''}: ${zodMessage(r.error)}; not applied`, source });
      continue;
    }
    if (seen.has(r.data.id)) {
      issues.push({ id: r.data.id, problem: 'invalid', message: `duplicate waiver id ${r.data.id}; only the first is applied`, source });
      continue;
    }
    seen.add(r.data.id);
    const w: Waiver = { ...r.data, expires: r.data.expires, source };
    waivers.push(w);
  }
  return { waivers, issues };
}

/** Load attestations; malformed entries are reported (with line) and skipped. */
export async function loadAttestations(path: string): Promise<{ attestations: Attestation[]; issues: AttestationIssue[] }> {
  const { doc, lc } = await readYaml(path, 'attestations');
  const attestations: Attestation[] = [];
  const issues: AttestationIssue[] = [];
  for (const { value, line } of entries(doc, lc, 'attestations', path)) {
    const r = attestationSchema.safeParse(value);
    const source = { file: path, line };
    if (!r.success) {
      const control = value && typeof value === 'object' && 'control' in value ? String((value as { control: unknown }).control) : undefined;
      issues.push({ ...(control ? { control } : {}), problem: 'invalid', message: `invalid attestation${control ? ` for ${control}` : ''}: ${zodMessage(r.error)}; not used`, source });
      continue;
    }
    attestations.push({ ...r.data, source });
  }
  return { attestations, issues };
}
