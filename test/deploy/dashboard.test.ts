/**
 * The dashboard in the cluster (deploy/kubernetes/components/dashboard, the chart's dashboard.*):
 *
 * 1. The objects fit together: the Service selects the Deployment's pods and targets its named
 *    port, the ServiceMonitor selects the Service, scrapes /metrics on that port with the token
 *    from the same Secret the Deployment reads, and the NetworkPolicy admits only the listed
 *    peers on that port and lets the pods reach only DNS and PostgreSQL.
 * 2. Hardening: non-root 65532, read-only root filesystem, no privilege escalation, ALL
 *    capabilities dropped, RuntimeDefault seccomp, no ServiceAccount token, resources, probes on
 *    /healthz; the token and the store URL only ever come from Secrets.
 * 3. kustomize and Helm render the same Deployment, Service, ServiceMonitor and NetworkPolicy.
 * 4. The Deployment's command line, end to end: its arguments and environment resolved as the
 *    kubelet would (Secrets supplied by the test), run as the real CLI — it refuses to start without
 *    the token Secret, answers /healthz without a token, /metrics only with it, and answers requests
 *    addressed to the Service's DNS name.
 * 5. The chart's values.schema.json covers every value and fails typos.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BIN, runCli } from '../helpers/cli.js';
import { seededStore } from '../server/harness.js';
import type { Seeded } from '../server/harness.js';
import { helmTemplate, mergeValues, valuesProblems } from './helm.js';
import { parseYamlDocs } from './kustomize.js';
import type { Obj } from './kustomize.js';
import { CHART, RENDERINGS } from './render.js';

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }
interface Probe { httpGet: { path: string; port: string | number } }
interface Container {
  name: string; image: string; args: string[]; env: EnvVar[]; ports: { name: string; containerPort: number }[];
  readinessProbe: Probe; livenessProbe: Probe; resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>; volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface Deployment {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: {
    serviceAccountName: string; automountServiceAccountToken: boolean; securityContext: Record<string, unknown>; containers: Container[]; volumes: { name: string }[];
  } } };
}
interface Service { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { type: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] } }
interface ServiceMonitor { metadata: { namespace: string; labels: Record<string, string> }; spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string; scheme: string; interval: string; authorization: { type: string; credentials: { name: string; key: string } } }[] } }
interface Peer { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> }; ipBlock?: { cidr: string } }
interface NetworkPolicy { metadata: { name: string }; spec: { podSelector: { matchLabels?: Record<string, string> }; policyTypes: string[]; ingress?: { from?: Peer[]; ports?: { port: number; protocol: string }[] }[]; egress?: { to?: Peer[]; ports?: { port: number; protocol: string }[] }[] } }

const DASHBOARD = RENDERINGS.filter((r) => r.dashboard);
const docsOf = (file: string) => parseYamlDocs(readFileSync(file, 'utf8'), file);
const all = (docs: Obj[], kind: string) => docs.filter((d) => d.kind === kind);
const one = <T>(docs: Obj[], kind: string): T => {
  const found = all(docs, kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as unknown as T;
};
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

function objects(docs: Obj[]) {
  const deployment = one<Deployment>(docs, 'Deployment');
  const service = one<Service>(docs, 'Service');
  const monitor = one<ServiceMonitor>(docs, 'ServiceMonitor');
  const policies = all(docs, 'NetworkPolicy') as unknown as NetworkPolicy[];
  const podLabels = deployment.spec.template.metadata.labels;
  const own = policies.filter((p) => p.spec.podSelector.matchLabels && selects(p.spec.podSelector.matchLabels, podLabels));
  expect(own, 'exactly one NetworkPolicy selects the dashboard pods by label').toHaveLength(1);
  return { deployment, service, monitor, policies, policy: own[0]!, container: deployment.spec.template.spec.containers[0]!, podLabels };
}

describe('the dashboard objects fit together', () => {
  expect(DASHBOARD.map((r) => r.name)).toEqual(['kustomize overlays/dashboard', 'helm dashboard values']);
  for (const r of DASHBOARD) {
    describe(r.name, () => {
      const docs = docsOf(r.file);
      const o = objects(docs);

      it('Service → Deployment → port http; ServiceMonitor → Service, /metrics with the token Secret', () => {
        const { deployment, service, monitor, container, podLabels } = o;
        expect(selects(deployment.spec.selector.matchLabels, podLabels)).toBe(true);
        expect(service.metadata.name).toBe('eks-soc2-dashboard');
        expect(service.metadata.namespace).toBe('eks-soc2');
        expect(service.spec.type).toBe('ClusterIP');
        expect(selects(service.spec.selector, podLabels)).toBe(true);
        expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }]);
        expect(container.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
        expect(container.args).toEqual(['serve', '--host', '0.0.0.0', '--port', '8080']);
        // The scanner's pods are not the dashboard's: the Service must not select a CronJob pod.
        expect(service.spec.selector['app.kubernetes.io/name']).toBe('eks-soc2-dashboard');

        expect(monitor.metadata.namespace).toBe('eks-soc2');
        expect(selects(monitor.spec.selector.matchLabels, service.metadata.labels)).toBe(true);
        const [ep, ...more] = monitor.spec.endpoints;
        expect(more).toEqual([]);
        expect(ep).toMatchObject({ port: 'http', path: '/metrics', scheme: 'http' });
        expect(ep!.authorization.type).toBe('Bearer');
        const token = container.env.find((e) => e.name === 'EKS_SOC2_TOKEN')!;
        expect(ep!.authorization.credentials).toEqual(token.valueFrom!.secretKeyRef);
        // Under Prometheus' 5-minute staleness window, or the series would have gaps.
        expect(Number(/^(\d+)m$/.exec(ep!.interval)?.[1])).toBeLessThan(5);
      });

      it('the NetworkPolicy: ingress on the dashboard port from the listed peers only; egress to DNS and PostgreSQL only', () => {
        const { policy, policies, podLabels } = o;
        expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
        expect(policy.spec.ingress).toHaveLength(1);
        const ingress = policy.spec.ingress![0]!;
        expect(ingress.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
        // Every peer is narrowed by a namespace AND a pod selector: never "from anywhere".
        expect(ingress.from!.length).toBeGreaterThan(0);
        for (const p of ingress.from!) {
          expect(Object.keys(p.namespaceSelector?.matchLabels ?? {}).length, JSON.stringify(p)).toBeGreaterThan(0);
          expect(Object.keys(p.podSelector?.matchLabels ?? {}).length, JSON.stringify(p)).toBeGreaterThan(0);
        }
        expect(ingress.from!.map((p) => p.namespaceSelector!.matchLabels['kubernetes.io/metadata.name'])).toEqual(['monitoring', 'ingress-nginx']);
        const egressPorts = policy.spec.egress!.flatMap((e) => (e.ports ?? []).map((p) => `${p.protocol}/${p.port}`)).sort();
        expect(egressPorts).toEqual(['TCP/53', 'TCP/5432', 'UDP/53']);
        const pg = policy.spec.egress!.find((e) => e.ports!.some((p) => p.port === 5432))!;
        expect(pg.to).toEqual([{ ipBlock: { cidr: '10.0.0.0/16' } }]);
        // The scanner's broader egress (443 to AWS and the API server) does not reach the dashboard's pods.
        for (const p of policies) {
          if (p === policy || !p.spec.podSelector.matchLabels) continue;
          expect(selects(p.spec.podSelector.matchLabels, podLabels), `${p.metadata.name} selects the dashboard pods`).toBe(false);
        }
        // ... and the namespace's default deny still covers them.
        expect(policies.some((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0 && p.spec.policyTypes.includes('Ingress') && p.spec.policyTypes.includes('Egress') && !p.spec.ingress && !p.spec.egress)).toBe(true);
      });

      it('hardened: non-root, read-only root filesystem, nothing to escalate, no ServiceAccount token, resources, /healthz probes', () => {
        const { deployment, container } = o;
        const pod = deployment.spec.template.spec;
        // One replica, replaced without overlap: two would export every series twice.
        expect(deployment.spec.replicas).toBe(1);
        expect((deployment.spec as unknown as { strategy: unknown }).strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } });
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.serviceAccountName).toBe('eks-soc2-dashboard');
        const sa = all(docs, 'ServiceAccount').find((s) => (s.metadata as { name: string }).name === 'eks-soc2-dashboard') as { automountServiceAccountToken: boolean; metadata: { annotations?: unknown } };
        expect(sa.automountServiceAccountToken).toBe(false);
        expect(sa.metadata.annotations).toBeUndefined(); // no IAM role: the dashboard never calls AWS
        // No RBAC binds the dashboard's ServiceAccount.
        for (const b of [...all(docs, 'RoleBinding'), ...all(docs, 'ClusterRoleBinding')] as unknown as { subjects: { name: string }[] }[]) {
          expect(b.subjects.map((s) => s.name)).not.toContain('eks-soc2-dashboard');
        }
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
        expect(container.securityContext).toEqual({
          runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false,
          capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
        for (const p of [container.readinessProbe, container.livenessProbe]) expect(p.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(container.volumeMounts.find((m) => m.mountPath === '/tmp')).toBeDefined();
        for (const m of container.volumeMounts.filter((x) => x.mountPath !== '/tmp')) expect(m.readOnly, m.mountPath).toBe(true);
      });

      it('the token and the store URL come from Secrets, never from a literal or the command line', () => {
        const { container } = o;
        const env = Object.fromEntries(container.env.map((e) => [e.name, e]));
        expect(env.EKS_SOC2_TOKEN).toEqual({ name: 'EKS_SOC2_TOKEN', valueFrom: { secretKeyRef: { name: 'eks-soc2-dashboard', key: 'token' } } });
        expect(env.EKS_SOC2_STORE).toEqual({ name: 'EKS_SOC2_STORE', valueFrom: { secretKeyRef: { name: 'eks-soc2-store', key: 'url' } } });
        expect(container.args.join(' ')).not.toMatch(/--token|--store/);
        expect(all(docs, 'Secret')).toEqual([]); // created beforehand by kubectl, never by these files
      });

      it('the quota leaves room for the dashboard next to a scan and a manual run', () => {
        const { container } = o;
        const quota = one<{ spec: { hard: Record<string, string> } }>(docs, 'ResourceQuota');
        const cpu = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q));
        const mem = (q: string) => Number(/^(\d+)(Mi|Gi)$/.exec(q)![1]) * (q.endsWith('Gi') ? 1024 : 1);
        const cron = one<{ spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } } }>(docs, 'CronJob').spec.jobTemplate.spec.template.spec.containers[0]!;
        const pods = 3; // the most dashboard.replicas allows
        expect(pods + 2).toBeLessThanOrEqual(Number(quota.spec.hard.pods));
        for (const [kind, key, f] of [['requests', 'cpu', cpu], ['requests', 'memory', mem], ['limits', 'cpu', cpu], ['limits', 'memory', mem]] as const) {
          const need = pods * f(container.resources[kind][key]!) + 2 * f(cron.resources[kind][key]!);
          expect(need, `${kind}.${key}`).toBeLessThanOrEqual(f(quota.spec.hard[`${kind}.${key}`]!));
        }
      });
    });
  }

  it('kustomize and Helm render the same dashboard (Helm adds its instance label)', () => {
    const [k, h] = DASHBOARD.map((r) => objects(docsOf(r.file)));
    const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v), (key, val: unknown) => {
      if (val && typeof val === 'object' && !Array.isArray(val)) {
        const o = { ...(val as Record<string, unknown>) };
        for (const l of ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version', 'release']) delete o[l];
        return o;
      }
      return val;
    }) as unknown;
    expect(strip(h!.deployment.spec)).toEqual({ ...(strip(k!.deployment.spec) as object), template: expect.anything() });
    const kt = strip(k!.deployment.spec.template) as { spec: Deployment['spec']['template']['spec'] };
    const ht = strip(h!.deployment.spec.template) as typeof kt;
    expect({ ...ht.spec, containers: ht.spec.containers.map((c) => ({ ...c, image: c.image.split(':').pop() })) })
      .toEqual({ ...kt.spec, containers: kt.spec.containers.map((c) => ({ ...c, image: c.image.split(':').pop() })) });
    expect(strip(h!.service.spec)).toEqual(strip(k!.service.spec));
    expect(strip(h!.monitor.spec)).toEqual(strip(k!.monitor.spec));
    expect(strip(h!.policy.spec)).toEqual(strip(k!.policy.spec));
  });
});

// ------------------------------------------------------------------------ the Deployment, end to end

const TOKEN = 'a3f1c9e07b2d48e6a5c4b3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2';

interface Running { url: string; port: number; stderr: () => string; stop: () => Promise<void> }

/** The container's arguments and environment as the kubelet would start them, with the Secrets the test supplies. */
function kubeletView(c: Container, secrets: Record<string, string>): { args: string[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  for (const e of c.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const s = secrets[`${ref.name}/${ref.key}`];
      // A missing Secret key keeps the pod from starting (CreateContainerConfigError).
      if (s === undefined) throw new Error(`Secret ${ref.name} key ${ref.key} was not provided by the test`);
      env[e.name] = s;
    } else throw new Error(`env ${e.name}: unsupported source`);
  }
  return { args: c.args, env };
}

function start(args: string[], env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', AWS_EC2_METADATA_DISABLED: 'true', EKS_SOC2_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /eks-soc2 dashboard: (http:\/\/[^/\s]+:(\d+)\/)/.exec(out);
      if (m) resolve({ url: m[1]!, port: Number(m[2]), stderr: () => err, stop: async () => { child.kill('SIGTERM'); await exited; } });
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${err}`)));
  });
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => { body += d; }).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

describe('the Deployment\'s command line, end to end', () => {
  let seeded: Seeded;
  beforeAll(async () => {
    seeded = await seededStore({ end: '2025-12-31', clusters: [{ name: 'prod-eu-1', accountId: '111122223333', region: 'eu-west-1', runs: 2 }] });
  }, 120_000);
  afterAll(async () => { await seeded?.close(); });

  for (const r of DASHBOARD) {
    it(`${r.name}: refuses to start without the token, then serves /healthz openly and /metrics to the ServiceMonitor's token`, async () => {
      const { container, monitor, service } = objects(docsOf(r.file));
      const tokenRef = monitor.spec.endpoints[0]!.authorization.credentials;
      const secrets = { 'eks-soc2-store/url': `sqlite:${seeded.path}`, [`${tokenRef.name}/${tokenRef.key}`]: TOKEN };
      const { args, env } = kubeletView(container, secrets);
      expect(() => kubeletView(container, { 'eks-soc2-store/url': 'sqlite:x' })).toThrow(/Secret eks-soc2-dashboard key token was not provided/);

      // Exactly the rendered arguments and environment, minus the token: serve refuses 0.0.0.0 (exit 2, nothing listens).
      const refused = await runCli(args, { env: { ...env, EKS_SOC2_TOKEN: '' } });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);

      // With the token: the rendered arguments, then the loopback address and a free port (tests talk to 127.0.0.1 only).
      const s = await start([...args, '--host', '127.0.0.1', '--port', '0'], env);
      try {
        const svcHost = `${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0]!.port}`;
        const health = await get(s.port, container.readinessProbe.httpGet.path, { host: `10.0.3.17:${container.ports[0]!.containerPort}` });
        expect(health.status).toBe(200);
        expect(health.body.trim()).toBe('ok');
        const ep = monitor.spec.endpoints[0]!;
        expect((await get(s.port, ep.path, { host: svcHost })).status).toBe(401);
        const scrape = await get(s.port, ep.path, { host: svcHost, authorization: `${ep.authorization.type} ${secrets[`${tokenRef.name}/${tokenRef.key}`]!}` });
        expect(scrape.status).toBe(200);
        expect(scrape.body).toMatch(/^eks_soc2_score_ratio\{cluster="prod-eu-1",/m);
        expect(scrape.body).toMatch(/^eks_soc2_store_up 1$/m);
        const api = await get(s.port, '/api/clusters', { host: svcHost, authorization: `Bearer ${TOKEN}` });
        expect(api.status).toBe(200);
        expect(s.stderr()).not.toContain(TOKEN);
      } finally {
        await s.stop();
      }
    }, 90_000);
  }
});

// ------------------------------------------------------------------------------ values.schema.json

describe('the chart\'s values.schema.json', () => {
  const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Record<string, unknown>;
  const withValues = (over: Record<string, unknown>) => mergeValues(values, over);

  it('is JSON Schema draft-07 and closes every object, so a typo fails', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const open: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && n.additionalProperties !== false) open.push(path || '(root)');
      // if/then are conditions on values the closed schema already describes, not value shapes.
      for (const [k, v] of Object.entries(n)) if (!(path === '' && (k === 'if' || k === 'then'))) walk(v, `${path}/${k}`);
    };
    walk(schema, '');
    expect(open).toEqual([]);
  });

  it('accepts values.yaml and every ci/ values file', () => {
    expect(valuesProblems(CHART, values)).toEqual([]);
    for (const f of readdirSync(join(CHART, 'ci'))) {
      expect(valuesProblems(CHART, mergeValues(values, parse(readFileSync(join(CHART, 'ci', f), 'utf8')))), f).toEqual([]);
    }
  });

  it('covers every value of values.yaml (each leaf has a description)', () => {
    const missing: string[] = [];
    const walk = (v: unknown, s: Record<string, unknown> | undefined, path: string) => {
      if (!s) { missing.push(path); return; }
      const props = s.properties as Record<string, Record<string, unknown>> | undefined;
      if (v && typeof v === 'object' && !Array.isArray(v) && props) {
        for (const [k, x] of Object.entries(v)) walk(x, props[k], `${path}.${k}`);
      } else if (typeof s.description !== 'string' && !path.match(/\.(requests|limits)\.\w+$/) && !path.includes('.networkPolicy.from')) {
        missing.push(`${path} (no description)`);
      }
    };
    walk(values, schema, '');
    expect(missing).toEqual([]);
  });

  it('fails typos at any depth, a token value, unknown choices and the dashboard without PostgreSQL', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ dashbaord: { enabled: true } }, /must NOT have additional properties 'dashbaord'/],
      [{ dashboard: { serviceMonitor: { enable: true } } }, /at '\/dashboard\/serviceMonitor'.*additional properties 'enable'/],
      [{ dashboard: { tokenSecret: { value: 'not-here' } } }, /at '\/dashboard\/tokenSecret'.*additional properties 'value'/],
      [{ dashboard: { token: 'x' } }, /additional properties 'token'/],
      [{ dashboard: { tokenSecret: { name: '' } } }, /\/dashboard\/tokenSecret\/name/],
      [{ store: { type: 'mysql' } }, /at '\/store\/type'.*must be equal to one of the allowed values/],
      [{ image: { digest: 'sha256:abc' } }, /\/image\/digest/],
      [{ resources: { requests: { cpu: '250m', gpu: 1 } } }, /additional properties 'gpu'/],
      [{ dashboard: { networkPolicy: { from: [{ namespaceSelectr: {} }] } } }, /additional properties 'namespaceSelectr'/],
      [{ dashboard: { enabled: true } }, /at '\/store\/type'.*must be equal to constant/],
      [{ dashboard: { replicas: 4 } }, /at '\/dashboard\/replicas'.*must be <= 3/],
    ];
    for (const [over, re] of cases) expect(valuesProblems(CHART, withValues(over)).join('\n'), JSON.stringify(over)).toMatch(re);
    expect(valuesProblems(CHART, withValues({ dashboard: { enabled: true }, store: { type: 'postgres' } }))).toEqual([]);
    // A parent chart's `global` reaches a subchart's values: accepted, or the chart could not be a dependency.
    expect(valuesProblems(CHART, withValues({ global: { imageRegistry: 'registry.example' } }))).toEqual([]);
  });

  it('the renderer, like helm template, refuses values the schema refuses; the template itself refuses the dashboard on SQLite', () => {
    expect(() => helmTemplate(CHART, { releaseName: 'eks-soc2', namespace: 'eks-soc2', values: { dashboard: { enabld: true } } })).toThrow(/values don't meet the specifications of the schema[\s\S]*'enabld'/);
    expect(() => helmTemplate(CHART, { releaseName: 'eks-soc2', namespace: 'eks-soc2', values: { dashboard: { enabled: true } }, skipSchemaValidation: true }))
      .toThrow(/execution error at \(dashboard\.yaml\): dashboard\.enabled needs store\.type postgres/);
  });
});

describe('the chart\'s dashboard switches', () => {
  const render = (values: Record<string, unknown>) => parseYamlDocs(helmTemplate(CHART, { releaseName: 'audit', namespace: 'compliance', values: mergeValues({ store: { type: 'postgres' } }, values) as Record<string, unknown> }), 'helm');
  const kinds = (docs: Obj[]) => docs.filter((d) => String((d.metadata as { name: string }).name).includes('dashboard')).map((d) => String(d.kind)).sort();

  it('off by default; on: ServiceAccount, Deployment, Service and NetworkPolicy; the ServiceMonitor on its own switch', () => {
    expect(kinds(render({}))).toEqual([]);
    expect(kinds(render({ dashboard: { enabled: true } }))).toEqual(['Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount']);
    expect(kinds(render({ dashboard: { enabled: true, serviceMonitor: { enabled: true } } }))).toEqual(['Deployment', 'NetworkPolicy', 'Service', 'ServiceAccount', 'ServiceMonitor']);
    expect(kinds(render({ dashboard: { enabled: true, networkPolicy: { enabled: false } } }))).toEqual(['Deployment', 'Service', 'ServiceAccount']);
  });

  it('names follow the release, the token Secret and peers follow the values, no peers means no ingress', () => {
    const docs = render({
      dashboard: {
        enabled: true, replicas: 2, tokenSecret: { name: 'dash-token', key: 'bearer' }, serviceMonitor: { enabled: true, labels: { release: 'prom' } },
        networkPolicy: { from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'vmagent' } } }] },
      },
    });
    const o = objects(docs);
    expect(o.deployment.metadata.name).toBe('audit-dashboard');
    expect(o.deployment.metadata.namespace).toBe('compliance');
    expect(o.deployment.spec.replicas).toBe(2);
    expect(o.container.env.find((e) => e.name === 'EKS_SOC2_TOKEN')!.valueFrom).toEqual({ secretKeyRef: { name: 'dash-token', key: 'bearer' } });
    expect(o.monitor.spec.endpoints[0]!.authorization.credentials).toEqual({ name: 'dash-token', key: 'bearer' });
    expect(o.monitor.metadata.labels.release).toBe('prom');
    expect(o.policy.spec.ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { team: 'obs' } }, podSelector: { matchLabels: { app: 'vmagent' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }]);
    expect(selects(o.service.spec.selector, o.podLabels)).toBe(true);
    expect(o.service.spec.selector['app.kubernetes.io/instance']).toBe('audit');

    const closed = objects(render({ dashboard: { enabled: true, serviceMonitor: { enabled: true }, networkPolicy: { from: [] } } }));
    expect(closed.policy.spec.ingress).toEqual([]);
    expect(closed.policy.spec.policyTypes).toContain('Ingress');
  });
});
