// Credentials planted in every place a cluster or a manifest can hold one (issue 18 item 16): none
// may reach the evidence store, a `collect` bundle, a re-performed run or any report. Redaction is
// by value as well as by name: an AWS key in an env var called CONN, a password in a URL, a token
// on a command line or in an annotation, a comment in aws-auth.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/program.js';
import { loadStoredSnapshot } from '../../src/cli/sources/store.js';
import { openStore } from '../../src/store/index.js';
import { emptySnapshot } from '../../src/model/index.js';
import type { K8sObject, Snapshot } from '../../src/model/index.js';
import { startKubeApiServer } from '../helpers/kube-api-server.js';
import type { KubeApiServer } from '../helpers/kube-api-server.js';

/** The secret part of each canary: none may appear in anything eks-soc2 keeps or prints. */
const SECRETS = {
  awsKeyId: 'AKIACANARY0000000001',
  awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYCANARYKEY1',
  dbPassword: 'CanaryPw-db-7731',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnktand0LTAwMDEifQ.c2lnbmF0dXJlLWNhbmFyeS0wMDAx',
  slack: 'canaryslackhookAAAA0001',
  teams: 'canaryteamshookBBBB0002',
  argPassword: 'canary-arg-pw-0002',
  argToken: 'canary-arg-token-0003',
  curl: 'canary-curl-pw-0004',
  vault: 'hvs.CANARYvaulttokenAAAAAAAAAAAAAA',
  annotation: 'canary-annotation-token-0005',
  awsAuthComment: 'canary-awsauth-comment-0006',
  gitToken: 'ghp_CANARYgithubtoken00000000000000000007',
  envName: 'canary-env-by-name-0008',
  embedded: 'canary-embedded-json-0009',
  query: 'canary-query-token-0010',
  pem: 'CANARYPEMBODY0011',
} as const;
expect(SECRETS.awsSecret).toHaveLength(40);

const objects: K8sObject[] = [
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: {
      name: 'api', namespace: 'shop', uid: 'u-api',
      annotations: { 'vault.hashicorp.com/client-token': SECRETS.vault, 'example.com/api-token': SECRETS.annotation, 'example.com/config': `{"apiKey":"${SECRETS.embedded}"}` },
    },
    spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{
      name: 'api', image: 'repo/api:1',
      command: ['sh', '-c', `curl -u admin:${SECRETS.curl} https://internal.example.com/health?token=${SECRETS.query}`],
      args: ['--password', SECRETS.argPassword, `--token=${SECRETS.argToken}`, '--verbose'],
      env: [
        { name: 'CONN', value: `${SECRETS.awsKeyId}:${SECRETS.awsSecret}` },
        { name: 'DATABASE_URL', value: `postgres://app:${SECRETS.dbPassword}@db.internal:5432/app` },
        { name: 'ALERTS', value: `https://hooks.slack.com/services/T0CANARY/B0CANARY/${SECRETS.slack}` },
        { name: 'TEAMS', value: `https://acme.webhook.office.com/webhookb2/${SECRETS.teams}` },
        { name: 'SESSION', value: SECRETS.jwt },
        { name: 'API_TOKEN', value: SECRETS.envName },
        { name: 'TLS_KEY', value: `-----BEGIN PRIVATE KEY-----\n${SECRETS.pem}\n-----END PRIVATE KEY-----` },
      ],
    }] } } },
  },
  {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'aws-auth', namespace: 'kube-system', uid: 'u-aa' },
    data: { mapRoles: `# break-glass: ${SECRETS.awsAuthComment}\n- rolearn: arn:aws:iam::111122223333:role/admin # ${SECRETS.awsAuthComment}\n  username: admin\n  groups: [system:masters]\n` },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'api', namespace: 'argocd', uid: 'u-app' },
    spec: { source: { repoURL: `https://${SECRETS.gitToken}@github.com/acme/deploy.git`, path: 'api' }, destination: { namespace: 'shop' } },
  },
];

const leaks = (text: string): string[] => Object.entries(SECRETS).filter(([, v]) => text.includes(v)).map(([k]) => k);

const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-canaries-'));
let server: KubeApiServer | undefined;
let out: string[];
beforeEach(() => {
  out = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => { out.push(String(c)); return true; });
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => { out.push(typeof c === 'string' ? c : Buffer.from(c).toString('latin1')); return true; });
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await server?.close();
  server = undefined;
});
afterAll(() => undefined);

const cli = (...args: string[]) => main(['node', 'eks-soc2', ...args]);

/** Every text file of a report directory, and the snapshots of a store, as one string each. */
function reportTexts(d: string): Record<string, string> {
  return Object.fromEntries(readdirSync(d).filter((f) => !f.endsWith('.pdf')).map((f) => [f, readFileSync(join(d, f), 'utf8')]));
}
async function storedSnapshots(url: string): Promise<string> {
  const store = await openStore({ kind: 'sqlite', path: url.slice('sqlite:'.length) }, { mode: 'read', toolVersion: 'test' });
  try {
    const texts: string[] = [];
    for (const r of await store.runs()) texts.push(JSON.stringify(await store.loadSnapshot(r.snapshotDigest)), JSON.stringify(await store.loadResult(r.runId)));
    return texts.join('\n');
  } finally {
    await store.close();
  }
}

describe('credentials never reach the store, a bundle or a report (canaries)', () => {
  const formats = 'json,markdown,csv,html,sarif,junit,oscal,terminal';

  it('a file scan: the store and every report are clean', async () => {
    const manifest = join(dir, 'canaries.json');
    writeFileSync(manifest, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
    const url = `sqlite:${join(dir, 'files.db')}`;
    const reports = join(dir, 'files-reports');
    await cli('scan', '-f', manifest, '--store', url, '--format', formats, '-o', reports, '--details', '--no-aws');
    for (const [name, text] of Object.entries(reportTexts(reports))) expect(leaks(text), name).toEqual([]);
    const stored = await storedSnapshots(url);
    expect(stored).toContain('[redacted by eks-soc2]');
    expect(leaks(stored)).toEqual([]);
    expect(leaks(out.join(''))).toEqual([]);
    // What identifies the settings stays: the flag, the variable, the URL's host, the role mapping.
    expect(stored).toContain('--password');
    expect(stored).toContain('postgres://app:[redacted by eks-soc2]@db.internal:5432/app');
    expect(stored).toContain('arn:aws:iam::111122223333:role/admin');
  });

  it('a live collection: the bundle is clean, and so is everything scanned from it', async () => {
    server = await startKubeApiServer({ token: 'canary-cluster-token-0000', objects, serve: ['apps/StatefulSet', 'apps/DaemonSet', 'batch/Job', 'batch/CronJob'] });
    const bundle = join(dir, 'bundle.json.gz');
    await cli('collect', '--kubeconfig', server.writeKubeconfig({ token: 'canary-cluster-token-0000' }), '-o', bundle, '--no-aws', '--qps', '0', '--quiet');
    const text = gunzipSync(readFileSync(bundle)).toString('utf8');
    expect(text).toContain('"kind":"Deployment"');
    expect(leaks(text)).toEqual([]);
    expect(text).not.toContain('canary-cluster-token-0000');
    const url = `sqlite:${join(dir, 'bundle.db')}`;
    const reports = join(dir, 'bundle-reports');
    await cli('scan', '-f', bundle, '--store', url, '--format', formats, '-o', reports, '--details', '--no-aws');
    for (const [name, t] of Object.entries(reportTexts(reports))) expect(leaks(t), name).toEqual([]);
    expect(leaks(await storedSnapshots(url))).toEqual([]);
  });

  it('a snapshot stored before value redaction is redacted when the run is re-performed (--run)', async () => {
    const path = join(dir, 'old.db');
    const store = await openStore({ kind: 'sqlite', path }, { mode: 'write', toolVersion: 'test' });
    const snap: Snapshot = emptySnapshot('0.0.1', new Date('2026-01-01T00:00:00Z'));
    snap.cluster = { name: 'old', region: 'eu-west-1', accountId: '111122223333', server: `https://admin:${SECRETS.dbPassword}@api.example.com` };
    snap.kubernetes = { source: 'live', complete: true, kinds: { 'apps/Deployment': { state: 'collected', count: 1 } }, objects: structuredClone(objects.slice(0, 1)) };
    const { evaluate } = await import('../../src/engine/index.js');
    const { catalog } = await import('../../src/catalog/index.js');
    const { defaultConfig } = await import('../../src/model/index.js');
    const run = evaluate(snap, catalog, { config: defaultConfig(), toolVersion: '0.0.1', catalogVersion: 'x', controls: ['CC5-HARD-03'] });
    const stored = await store.appendRun(run, snap, { at: new Date('2026-01-01T00:00:00Z') });
    await store.close();
    const again = await loadStoredSnapshot({ run: stored.runId, store: `sqlite:${path}`, quiet: true });
    expect(leaks(JSON.stringify(again!.snapshot))).toEqual([]);
    const reports = join(dir, 'run-reports');
    await cli('scan', '--run', stored.runId, '--store', `sqlite:${path}`, '--format', formats, '-o', reports, '--details');
    for (const [name, t] of Object.entries(reportTexts(reports))) expect(leaks(t), name).toEqual([]);
  });
});
