/**
 * The real `kubectl kustomize` (kustomize v5 in current kubectl; CI installs kubectl when the machine
 * has none) renders our overlays (the dashboard component included) exactly as the in-test resolver
 * does, and the overlays docs/continuous.md and docs/dashboard.md tell users to write pin their own
 * registry and digest. Skipped with a message outside CI when kubectl is missing; in CI it fails.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { kustomizeBuild, REPO } from './kustomize.js';
import { KUSTOMIZE, kustomize } from '../helpers/kustomize-cli.js';

const HAVE = KUSTOMIZE !== undefined;
if (!HAVE) console.warn('no kustomize v4+ (kubectl kustomize or kustomize): the real-kustomize tests are SKIPPED (CI requires it)');

const work = mkdtempSync(join(tmpdir(), 'eks-soc2-kustomize-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function build(dir: string): Record<string, unknown>[] {
  return parseAllDocuments(kustomize(dir)).map((d) => d.toJS() as Record<string, unknown>);
}
const images = (docs: Record<string, unknown>[]) => JSON.stringify(docs).match(/"image":"[^"]*"/g) ?? [];

/** The user's overlay exactly as a doc (docs/continuous.md, docs/dashboard.md) shows it, with the shell variables filled in. */
function documentedOverlay(docFile = 'docs/continuous.md'): string {
  const doc = readFileSync(join(REPO, docFile), 'utf8');
  const m = /cat > kustomization\.yaml <<EOF\n([\s\S]*?)\nEOF\n/.exec(doc);
  if (!m) throw new Error(`${docFile} no longer shows the overlay (cat > kustomization.yaml <<EOF ... EOF)`);
  const vars: Record<string, string> = {
    CLUSTER: 'prod', AWS_REGION: 'eu-west-1', AWS_ACCOUNT: '444455556666', ROLE: 'eks-soc2-audit',
    REPO: '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tools/eks-soc2',
    DIGEST: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    PROM_NAMESPACE: 'observability', PROM_RELEASE: 'kube-prometheus-stack',
  };
  return m[1]!.replace(/\$([A-Z_]+)/g, (_, v: string) => vars[v] ?? `$${v}`);
}

describe.skipIf(!HAVE)('the real kustomize (kubectl kustomize, or kustomize build)', () => {
  it('renders every overlay as our in-test resolver does (the same objects, field for field, the same images)', () => {
    const overlays = readdirSync(join(REPO, 'deploy/kubernetes/overlays')).sort();
    expect(overlays).toEqual(['dashboard', 'postgres', 'sqlite-pv']);
    for (const overlay of overlays) {
      const dir = join(REPO, 'deploy/kubernetes/overlays', overlay);
      const real = build(dir);
      const ours = kustomizeBuild(dir);
      const key = (o: Record<string, unknown>) => `${String(o.kind)}/${String((o.metadata as { namespace?: string }).namespace ?? '')}/${String((o.metadata as { name: string }).name)}`;
      expect(real.map(key).sort(), overlay).toEqual(ours.map(key).sort());
      expect(images(real), overlay).toEqual(images(ours));
      const byKey = (docs: Record<string, unknown>[]) => Object.fromEntries(docs.map((d) => [key(d), d]));
      expect(byKey(real), overlay).toEqual(byKey(ours));
    }
  });

  it('the dashboard overlay of docs/dashboard.md pins the image of the dashboard too, and its patches land', () => {
    const root = join(work, 'checkout-dashboard');
    cpSync(join(REPO, 'deploy'), join(root, 'deploy'), { recursive: true });
    const mine = join(root, 'my-eks-soc2');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, 'kustomization.yaml'), documentedOverlay('docs/dashboard.md'));
    const out = build(mine);
    const pinned = '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tools/eks-soc2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    expect(images(out)).toEqual([`"image":"${pinned}"`, `"image":"${pinned}"`]);
    const deploy = out.find((o) => o.kind === 'Deployment') as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deploy.spec.template.spec.containers[0]!.image).toBe(pinned);
    const np = out.find((o) => o.kind === 'NetworkPolicy' && (o.metadata as { name: string }).name === 'eks-soc2-dashboard') as { spec: { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[]; egress: unknown[] } };
    expect(np.spec.ingress.map((i) => i.from.map((f) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']))).toEqual([['observability']]);
    expect(np.spec.egress).toHaveLength(2); // the patch replaced the ingress, not the egress
    const sm = out.find((o) => o.kind === 'ServiceMonitor') as { metadata: { labels: Record<string, string> } };
    expect(sm.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/name': 'eks-soc2-dashboard' });
    expect(out.some((o) => o.kind === 'Service' && (o.metadata as { name: string }).name === 'eks-soc2-dashboard')).toBe(true);
  });

  it('the overlay of docs/continuous.md pins the user\'s registry and digest', () => {
    const root = join(work, 'checkout');
    cpSync(join(REPO, 'deploy'), join(root, 'deploy'), { recursive: true });
    const mine = join(root, 'my-eks-soc2');
    mkdirSync(mine, { recursive: true }); // the docs' layout: the overlay beside deploy/
    writeFileSync(join(mine, 'kustomization.yaml'), documentedOverlay());
    const out = build(mine);
    const cron = out.find((o) => o.kind === 'CronJob') as { spec: { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } } };
    expect(cron.spec.jobTemplate.spec.template.spec.containers.map((c) => c.image)).toEqual([
      '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tools/eks-soc2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ]);
    expect(images(out).every((i) => i.includes('444455556666.dkr.ecr'))).toBe(true);
    const sa = out.find((o) => o.kind === 'ServiceAccount' && (o.metadata as { name: string }).name === 'eks-soc2') as { metadata: { annotations?: Record<string, string> } };
    expect(sa.metadata.annotations?.['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::444455556666:role/eks-soc2-audit');
  });
});
