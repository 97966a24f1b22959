/**
 * Every manifest under deploy/ validates against strict Kubernetes 1.33 JSON schemas
 * (test/fixtures/k8s-schemas/, provenance in its README): the kustomize base and overlay files,
 * their renderings, and the rendered Helm chart. Strict means a misspelt field fails, which the
 * API server would otherwise drop or reject only at apply time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parseYamlDocs, REPO } from './kustomize.js';
import type { Obj } from './kustomize.js';
import { RENDERINGS } from './render.js';

const SCHEMAS = join(REPO, 'test/fixtures/k8s-schemas');
const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;

/** kind → schema file, as yannh/kubernetes-json-schema names them. */
function schemaFile(o: Obj): string {
  const [group, version] = String(o.apiVersion).includes('/') ? String(o.apiVersion).split('/') as [string, string] : ['', String(o.apiVersion)];
  const g = group.split('.')[0];
  return `${String(o.kind).toLowerCase()}${g ? `-${g}` : ''}-${version}.json`;
}

const ajv = addFormats(new Ajv({ strict: false, allErrors: true, allowUnionTypes: true }));
const compiled = new Map<string, ValidateFunction>();
function validator(file: string): ValidateFunction {
  let v = compiled.get(file);
  if (!v) {
    const schema = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as Record<string, unknown>;
    delete schema.$schema; // draft-07 here; yannh's files name draft-04's URL, which ajv 8 does not load
    v = ajv.compile(schema);
    compiled.set(file, v);
  }
  return v;
}

function problems(o: Obj): string[] {
  const v = validator(schemaFile(o));
  return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

/** Manifest files of the base, overlays and components (not kustomization.yaml, not the partial patches). */
function manifestFiles(): string[] {
  const out: string[] = [];
  const dirs = [join(REPO, 'deploy/kubernetes/base'), ...['overlays', 'components'].flatMap((top) => readdirSync(join(REPO, 'deploy/kubernetes', top)).map((d) => join(REPO, 'deploy/kubernetes', top, d)))];
  for (const dir of dirs) {
    const k = parseYamlDocs(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), dir)[0] as { resources?: string[] };
    for (const r of k.resources ?? []) if (/\.ya?ml$/.test(r)) out.push(join(dir, r));
  }
  return out;
}

describe('the schemas', () => {
  it('agree with the property sets read from yannh/kubernetes-json-schema', () => {
    const ref = JSON.parse(readFileSync(join(SCHEMAS, 'yannh-property-sets.json'), 'utf8')) as { sets: Record<string, Record<string, string[]>>; required: Record<string, Record<string, string[]>> };
    for (const [file, sets] of Object.entries(ref.sets)) {
      const schema = JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) as { properties: Record<string, unknown>; definitions: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
      const resolve = (s: unknown): { properties: Record<string, unknown>; required?: string[]; items?: unknown } => {
        let x = s as { $ref?: string; anyOf?: unknown[]; items?: unknown; properties?: Record<string, unknown> };
        if (x.anyOf) x = x.anyOf[0] as typeof x;
        if (x.$ref) x = schema.definitions[x.$ref.replace('#/definitions/', '')] as typeof x;
        return x as { properties: Record<string, unknown> };
      };
      const at = (path: string) => {
        let node: { properties: Record<string, unknown>; required?: string[]; items?: unknown } = schema;
        for (const part of path ? path.split('.') : []) {
          const array = part.endsWith('[]');
          node = resolve(node.properties[array ? part.slice(0, -2) : part]);
          if (array) node = resolve(node.items);
        }
        return node;
      };
      for (const [path, names] of Object.entries(sets)) expect(Object.keys(at(path).properties).sort(), `${file} ${path || '(root)'}`).toEqual([...names].sort());
      for (const [path, req] of Object.entries(ref.required[file] ?? {})) expect([...(at(path).required ?? [])].sort(), `${file} ${path} required`).toEqual([...req].sort());
    }
  });

  it('are strict: a misspelt field, a wrong type, a missing required field or a wrong kind fails', () => {
    const cronjob = parseYamlDocs(readFileSync(RENDERINGS[0]!.file, 'utf8'), 'r').find((d) => d.kind === 'CronJob')!;
    expect(problems(cronjob)).toEqual([]);
    const c = structuredClone(cronjob) as { spec: { jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }; schedule?: unknown } };
    const container = c.spec.jobTemplate.spec.template.spec.containers[0]!;
    (container.securityContext as Record<string, unknown>).runAsNonroot = true;
    expect(problems(c as unknown as Obj).join('\n')).toMatch(/must NOT have additional properties \(runAsNonroot\)/);
    const t = structuredClone(cronjob) as typeof c;
    (t.spec.jobTemplate.spec.template.spec.containers[0]!.securityContext as Record<string, unknown>).runAsUser = 'root';
    expect(problems(t as unknown as Obj).join('\n')).toMatch(/runAsUser/);
    const r = structuredClone(cronjob) as typeof c;
    delete r.spec.schedule;
    expect(problems(r as unknown as Obj).join('\n')).toMatch(/must have required property 'schedule'/);
    const q = structuredClone(cronjob) as typeof c;
    (q.spec.jobTemplate.spec.template.spec.containers[0]!.resources as { limits: Record<string, unknown> }).limits.cpu = 2;
    expect(problems(q as unknown as Obj)).toEqual([]); // quantities may be numbers
    expect(problems({ ...cronjob, kind: 'Cronjob' } as Obj)).not.toEqual([]);
  });

  it('the hand-written ServiceMonitor subset is strict too, and the Deployment and Service schemas are', () => {
    const docs = parseYamlDocs(readFileSync(join(REPO, 'deploy/kubernetes/rendered/dashboard.yaml'), 'utf8'), 'r');
    const sm = docs.find((d) => d.kind === 'ServiceMonitor')! as { spec: { endpoints: Record<string, unknown>[] } };
    expect(problems(sm as unknown as Obj)).toEqual([]);
    const typo = structuredClone(sm);
    typo.spec.endpoints[0]!.authorisation = typo.spec.endpoints[0]!.authorization;
    expect(problems(typo as unknown as Obj).join('\n')).toMatch(/additional properties \(authorisation\)/);
    const dep = docs.find((d) => d.kind === 'Deployment')! as { spec: Record<string, unknown> };
    expect(problems({ ...dep, spec: { ...dep.spec, replica: 1 } } as unknown as Obj).join('\n')).toMatch(/\(replica\)/);
    const svc = docs.find((d) => d.kind === 'Service')! as { spec: { ports: Record<string, unknown>[] } };
    const noPort = structuredClone(svc);
    delete noPort.spec.ports[0]!.port;
    expect(problems(noPort as unknown as Obj).join('\n')).toMatch(/must have required property 'port'/);
  });

  it('describe Kubernetes 1.33: fields added later are refused', () => {
    const cronjob = parseYamlDocs(readFileSync(RENDERINGS[0]!.file, 'utf8'), 'r').find((d) => d.kind === 'CronJob')! as { spec: { jobTemplate: { spec: { template: { spec: Record<string, unknown> } } } } };
    const x = structuredClone(cronjob);
    x.spec.jobTemplate.spec.template.spec.hostnameOverride = 'x';
    expect(problems(x as unknown as Obj).join('\n')).toMatch(/hostnameOverride/);
  });
});

describe('every manifest validates', () => {
  for (const f of manifestFiles()) {
    it(f.slice(REPO.length + 1), () => {
      for (const o of parseYamlDocs(readFileSync(f, 'utf8'), f)) expect(problems(o), `${String(o.kind)} ${(o.metadata as { name: string }).name}`).toEqual([]);
    });
  }
  for (const r of RENDERINGS) {
    it(`${r.name} (${r.file.slice(REPO.length + 1)})`, () => {
      const docs = parseYamlDocs(readFileSync(r.file, 'utf8'), r.file);
      expect(docs.length).toBeGreaterThan(8);
      for (const o of docs) expect(problems(o), `${String(o.kind)} ${(o.metadata as { name: string }).name}`).toEqual([]);
    });
  }
  it('the Helm chart with the namespace and Pod Identity, and without the StorageClass', async () => {
    const { helmTemplate } = await import('./helm.js');
    const { CHART } = await import('./render.js');
    const text = helmTemplate(CHART, { releaseName: 'audit', namespace: 'compliance', values: { namespace: { create: true }, identity: { type: 'podIdentity' }, store: { sqlite: { createStorageClass: false, kmsKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' } }, extraArgs: ['--section', 'CC5'] } });
    const docs = parseYamlDocs(text, 'helm');
    expect(docs.find((d) => d.kind === 'Namespace')).toBeDefined();
    expect(docs.find((d) => d.kind === 'StorageClass')).toBeUndefined();
    const sa = docs.find((d) => d.kind === 'ServiceAccount') as { metadata: { annotations?: unknown; name: string } };
    expect(sa.metadata.annotations).toBeUndefined();
    expect(sa.metadata.name).toBe('audit');
    const cron = docs.find((d) => d.kind === 'CronJob') as { spec: { jobTemplate: { spec: { template: { spec: { containers: { args: string[] }[] } } } } } };
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]!.args.slice(-2)).toEqual(['--section', 'CC5']);
    for (const o of docs) expect(problems(o), `${String(o.kind)}`).toEqual([]);
  });
});
