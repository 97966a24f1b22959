#!/usr/bin/env node
// The Terraform benchmark: a generated `terraform show -json` plan of N resources (default 5,000: one
// EKS cluster with its key, log group, node groups and launch templates, and a mix of security groups
// with rules, log groups, KMS keys, ECR repositories, flow logs, subnets and IAM roles, a third of
// them with values known only after apply), scanned end to end with
// `eks-soc2 scan -f plan.json --format json`. Prints a table; bench/run.mjs runs it too.
//   node bench/terraform.mjs [--resources 5000] [--reps 3] [--dist DIR]
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from './generator.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const ACCOUNT = '123456789012';
const change = (address, values, unknown = [], refs = {}) => ({ address, values, unknown, refs });

/** Plan resources: `{ address, values, unknown, refs }` in the shape of bench-built plans. */
function resources(n, random) {
  const out = [
    change('aws_kms_key.secrets', { enable_key_rotation: true, is_enabled: true, customer_master_key_spec: 'SYMMETRIC_DEFAULT' }, ['arn', 'id', 'key_id']),
    change('aws_eks_cluster.main', {
      name: 'bench', role_arn: `arn:aws:iam::${ACCOUNT}:role/eks`, version: '1.31', enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
      vpc_config: [{ subnet_ids: ['subnet-0a', 'subnet-0b'], endpoint_public_access: false, endpoint_private_access: true, vpc_id: 'vpc-0bench' }],
      encryption_config: [{ resources: ['secrets'], provider: [{}] }], access_config: [{ authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false }],
    }, ['arn', 'id', 'encryption_config.0.provider.0.key_arn'], { 'encryption_config.0.provider.0.key_arn': ['aws_kms_key.secrets.arn', 'aws_kms_key.secrets'] }),
    change('aws_cloudwatch_log_group.eks', { name: '/aws/eks/bench/cluster', retention_in_days: 400, kms_key_id: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1` }, ['arn']),
  ];
  const kinds = ['sg', 'lg', 'kms', 'ecr', 'flow', 'subnet', 'role', 'lt'];
  for (let i = 0; out.length < n; i++) {
    const kind = kinds[i % kinds.length];
    const late = random() < 0.33;
    switch (kind) {
      case 'sg': out.push(change(`aws_security_group.sg[${i}]`, {
        name: `sg-${i}`, vpc_id: 'vpc-0bench', tags: { Name: `sg-${i}` },
        ingress: [{ from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['10.0.0.0/8'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false, description: 'https' },
          { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: random() < 0.1 ? ['0.0.0.0/0'] : ['10.1.0.0/16'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false, description: 'ssh' }],
        egress: [{ from_port: 0, to_port: 0, protocol: '-1', cidr_blocks: ['0.0.0.0/0'], ipv6_cidr_blocks: [], security_groups: [], prefix_list_ids: [], self: false }],
      }, ['id', 'arn'])); break;
      case 'lg': out.push(change(`aws_cloudwatch_log_group.app[${i}]`, { name: `/app/${i}`, retention_in_days: [7, 30, 400][i % 3], kms_key_id: null }, late ? ['arn', 'retention_in_days'] : ['arn'])); break;
      case 'kms': out.push(change(`aws_kms_key.k[${i}]`, { enable_key_rotation: random() < 0.8, is_enabled: true, description: `key ${i}` }, ['arn', 'id', 'key_id'])); break;
      case 'ecr': out.push(change(`aws_ecr_repository.r[${i}]`, { name: `repo-${i}`, image_tag_mutability: 'IMMUTABLE', image_scanning_configuration: [{ scan_on_push: random() < 0.7 }] }, ['arn', 'registry_id', 'repository_url'])); break;
      case 'flow': out.push(change(`aws_flow_log.f[${i}]`, { vpc_id: `vpc-${i}`, traffic_type: 'ALL', log_destination_type: 's3', log_destination: 'arn:aws:s3:::flow' }, ['id', 'arn'])); break;
      case 'subnet': out.push(change(`aws_subnet.s[${i}]`, { vpc_id: 'vpc-0bench', cidr_block: `10.${i % 250}.0.0/24` }, ['id', 'arn'])); break;
      case 'role': out.push(change(`aws_iam_role.r[${i}]`, { name: `role-${i}`, assume_role_policy: '{"Version":"2012-10-17","Statement":[]}' }, ['arn', 'id', 'unique_id'])); break;
      case 'lt': out.push(change(`aws_launch_template.lt[${i}]`, { name: `lt-${i}`, metadata_options: [{ http_endpoint: 'enabled', http_tokens: random() < 0.8 ? 'required' : 'optional', http_put_response_hop_limit: 1 }] }, ['id', 'arn', 'latest_version'])); break;
      default: break;
    }
  }
  return out;
}

function setPath(obj, path) {
  const parts = path.split('.');
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = /^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i];
    cur[k] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
    cur = cur[k];
  }
  const last = parts[parts.length - 1];
  cur[/^\d+$/.test(last) ? Number(last) : last] = true;
}

/** A plan document as `terraform show -json` writes it (format 1.2). */
export function planDocument(n = 5000, seed = 14) {
  const list = resources(n, prng(seed));
  const config = new Map();
  const changes = list.map((r) => {
    const m = /^([a-z0-9_]+)\.([\w-]+)(\[\d+\])?$/.exec(r.address);
    const afterUnknown = {};
    for (const u of r.unknown) setPath(afterUnknown, u);
    const expressions = {};
    for (const [p, references] of Object.entries(r.refs)) { setPath(expressions, p); let cur = expressions; const parts = p.split('.'); for (let i = 0; i < parts.length - 1; i++) cur = cur[/^\d+$/.test(parts[i]) ? Number(parts[i]) : parts[i]]; cur[parts.at(-1)] = { references }; }
    if (!config.has(`${m[1]}.${m[2]}`)) config.set(`${m[1]}.${m[2]}`, { address: `${m[1]}.${m[2]}`, mode: 'managed', type: m[1], name: m[2], provider_config_key: 'aws', expressions });
    return {
      address: r.address, mode: 'managed', type: m[1], name: m[2], ...(m[3] ? { index: Number(m[3].slice(1, -1)) } : {}), provider_name: 'registry.terraform.io/hashicorp/aws',
      change: { actions: ['create'], before: null, after: r.values, after_unknown: afterUnknown, before_sensitive: false, after_sensitive: {} },
    };
  });
  return {
    format_version: '1.2', terraform_version: '1.9.8', variables: {}, planned_values: { root_module: {} }, resource_changes: changes,
    configuration: { provider_config: { aws: { name: 'aws', expressions: { region: { constant_value: 'eu-west-1' } } } }, root_module: { resources: [...config.values()] } },
  };
}

function run(argv) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, argv, { env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { out += d; });
    c.on('error', rej);
    c.on('close', (code) => { const m = /@@bench (\{.*\})/.exec(out); res({ ms: performance.now() - t0, code, rec: m ? JSON.parse(m[1]) : {}, out }); });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** Write the plan, scan it `reps` times; returns the figures. */
export async function measureTerraform({ dist = join(root, 'dist'), n = 5000, reps = 3, dir = join(root, 'bench/out/terraform') } = {}) {
  mkdirSync(dir, { recursive: true });
  const input = join(dir, `plan-${n}.json`);
  writeFileSync(input, JSON.stringify(planDocument(n)));
  const report = join(dir, 'report');
  const scans = [];
  for (let i = 0; i < reps; i++) {
    rmSync(report, { recursive: true, force: true });
    const r = await run([join(root, 'bench/rss.mjs'), join(dist, 'cli/main.js'), 'scan', '-f', input, '--format', 'json', '-o', report, '--fail-on', 'never']);
    if (r.code !== 0) throw new Error(`scan exited ${r.code}: ${r.out.slice(-2000)}`);
    scans.push(r);
  }
  return { resources: n, bytes: statSync(input).size, reps, scanMs: median(scans.map((s) => s.ms)), runs: scans.map((s) => Math.round(s.ms)), maxRssKb: median(scans.map((s) => s.rec.maxRssKb ?? 0)) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => { const i = args.indexOf(name); return i === -1 ? def : args[i + 1]; };
  const r = await measureTerraform({ n: Number(opt('--resources', '5000')), reps: Number(opt('--reps', '3')), ...(opt('--dist') ? { dist: resolve(opt('--dist')) } : {}) });
  process.stdout.write(`| input | bytes | scan end to end (median) | runs | peak RSS |\n|---|---:|---:|---|---:|\n| Terraform plan, ${r.resources.toLocaleString('en')} resources | ${(r.bytes / 1e6).toFixed(1)} MB | ${(r.scanMs / 1000).toFixed(2)} s | ${r.runs.join(', ')} ms | ${(r.maxRssKb / 1024).toFixed(0)} MB |\n`);
}
