/**
 * The real `kubectl kustomize` (kustomize v5 in current kubectl; CI installs kubectl when the machine
 * has none) renders our overlays, and the overlay docs/continuous.md tells users to write pins their
 * own registry and digest. Skipped with a message outside CI when kubectl is missing; in CI it fails.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** The user's overlay exactly as docs/continuous.md shows it, with the shell variables filled in. */
function documentedOverlay(): string {
  const doc = readFileSync(join(REPO, 'docs/continuous.md'), 'utf8');
  const m = /cat > kustomization\.yaml <<EOF\n([\s\S]*?)\nEOF\n/.exec(doc);
  if (!m) throw new Error('docs/continuous.md no longer shows the overlay (cat > kustomization.yaml <<EOF ... EOF)');
  const vars: Record<string, string> = {
    CLUSTER: 'prod', AWS_REGION: 'eu-west-1', AWS_ACCOUNT: '444455556666', ROLE: 'eks-soc2-audit',
    REPO: '444455556666.dkr.ecr.eu-west-1.amazonaws.com/tools/eks-soc2',
    DIGEST: 'sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  };
  return m[1]!.replace(/\$([A-Z_]+)/g, (_, v: string) => vars[v] ?? `$${v}`);
}

describe.skipIf(!HAVE)('the real kustomize (kubectl kustomize, or kustomize build)', () => {
  it('renders both overlays as our in-test resolver does (same objects, same images)', () => {
    for (const overlay of ['sqlite-pv', 'postgres']) {
      const dir = join(REPO, 'deploy/kubernetes/overlays', overlay);
      const real = build(dir);
      const ours = kustomizeBuild(dir);
      const key = (o: Record<string, unknown>) => `${String(o.kind)}/${String((o.metadata as { namespace?: string }).namespace ?? '')}/${String((o.metadata as { name: string }).name)}`;
      expect(real.map(key).sort(), overlay).toEqual(ours.map(key).sort());
      expect(images(real), overlay).toEqual(images(ours));
    }
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
