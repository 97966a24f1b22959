import { describe, expect, it } from 'vitest';
import type { K8sObject } from '../../src/model/index.js';
import { SnapshotIndex, UndeclaredEvidenceError, scopedEvidence } from '../../src/engine/evidence.js';
import { podsByWorkload, runningImages } from '../../src/catalog/lib/scanners.js';
import { allContainers, containersOf, imagesOf, workloads } from '../../src/catalog/lib/workloads.js';
import { WORKLOAD_KINDS } from '../../src/catalog/lib/keys.js';
import { makeSnapshot } from '../helpers/snapshot.js';

/**
 * Helpers whose results are computed once per snapshot and shared by the controls that read them
 * (podsByWorkload, runningImages): the same answer for every control, and the guarded reads of
 * each control still made.
 */
const D = (c: string) => `sha256:${c.repeat(64)}`;
const ECR = '111122223333.dkr.ecr.eu-west-1.amazonaws.com';
const meta = (kind: string, name: string, uid: string, owner?: { kind: string; apiVersion: string; name: string; uid: string }) => ({
  name, namespace: 'app', uid, ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}),
});
const podSpec = (image: string) => ({ containers: [{ name: 'main', image }], initContainers: [{ name: 'init', image: 'busybox:1.36' }] });
const status = (image: string, digest: string) => ({ phase: 'Running', initContainerStatuses: [{ name: 'init', image: 'busybox:1.36', imageID: `docker.io/library/busybox@${D('0')}` }], containerStatuses: [{ name: 'main', image, imageID: `${image.split(':')[0]}@${digest}` }] });

const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: meta('Deployment', 'web', 'd1'), spec: { selector: {}, template: { metadata: { labels: { app: 'web' } }, spec: podSpec(`${ECR}/web:1.0`) } } };
const rs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('ReplicaSet', 'web-abc', 'r1', { kind: 'Deployment', apiVersion: 'apps/v1', name: 'web', uid: 'd1' }), spec: { selector: {}, template: deploy.spec.template } };
const rsPod = (n: string, digest: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: meta('Pod', `web-abc-${n}`, `p-${n}`, { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'web-abc', uid: 'r1' }), spec: podSpec(`${ECR}/web:1.0`), status: status(`${ECR}/web:1.0`, digest) });
const bare = { apiVersion: 'v1', kind: 'Pod', metadata: meta('Pod', 'debug', 'p-bare'), spec: podSpec('nginx:latest'), status: status('nginx:latest', D('b')) };
const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('CronJob', 'nightly', 'c1'), spec: { schedule: '0 0 * * *', jobTemplate: { spec: { template: { spec: podSpec(`${ECR}/batch@${D('c')}`) } } } } };
const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('Job', 'nightly-1', 'j1', { kind: 'CronJob', apiVersion: 'batch/v1', name: 'nightly', uid: 'c1' }), spec: { template: cron.spec.jobTemplate.spec.template } };
const jobPod = { apiVersion: 'v1', kind: 'Pod', metadata: meta('Pod', 'nightly-1-x', 'p-job', { kind: 'Job', apiVersion: 'batch/v1', name: 'nightly-1', uid: 'j1' }), spec: podSpec(`${ECR}/batch@${D('c')}`), status: status(`${ECR}/batch`, D('c')) };

function setup(objects: object[]) {
  const snap = makeSnapshot({ k8s: objects as K8sObject[] });
  const index = new SnapshotIndex(snap);
  const declared = new Set(WORKLOAD_KINDS.map((k) => `k8s:${k}`));
  const ev = (id: string) => scopedEvidence(index, id, declared);
  const byName = (name: string) => snap.kubernetes.objects.find((o) => o.metadata.name === name)!;
  return { snap, index, ev, byName };
}

describe('pods by workload, once per snapshot', () => {
  it('maps a ReplicaSet pod to its Deployment, a Job pod to its CronJob, a bare pod to itself', () => {
    const { ev, byName } = setup([deploy, rs, rsPod('1', D('1')), rsPod('2', D('2')), bare, cron, job, jobPod]);
    const m = podsByWorkload(ev('A'));
    expect([...m.keys()].map((o) => o.metadata.name).sort()).toEqual(['debug', 'nightly', 'web']);
    expect(m.get(byName('web'))!.map((p) => p.metadata.name)).toEqual(['web-abc-1', 'web-abc-2']);
    expect(m.get(byName('nightly'))!.map((p) => p.metadata.name)).toEqual(['nightly-1-x']);
    expect(m.get(byName('debug'))!.map((p) => p.metadata.name)).toEqual(['debug']);
    // Another control gets the same map, not a second computation.
    expect(podsByWorkload(ev('B'))).toBe(m);
  });

  it('still refuses a control that does not declare pods', () => {
    const { index } = setup([bare]);
    const ev = scopedEvidence(index, 'X', new Set(['k8s:apps/Deployment']));
    expect(() => podsByWorkload(ev)).toThrow(UndeclaredEvidenceError);
  });
});

describe('running images, once per snapshot', () => {
  it('resolves each workload container to the digests its pods run, shared between controls', () => {
    const { ev } = setup([deploy, rs, rsPod('1', D('1')), rsPod('2', D('2')), bare, cron, job, jobPod]);
    const imgs = runningImages(ev('A'));
    const rows = imgs.map((i) => ({ w: `${i.workload.obj.kind}/${i.workload.obj.metadata.name}`, c: i.container, kind: i.kind, image: i.image, tag: i.tag, digests: i.digests, ecr: i.ecr?.repository }));
    expect(rows).toEqual([
      { w: 'Pod/debug', c: 'init', kind: 'initContainer', image: 'busybox:1.36', tag: '1.36', digests: [D('0')], ecr: undefined },
      { w: 'Pod/debug', c: 'main', kind: 'container', image: 'nginx:latest', tag: 'latest', digests: [D('b')], ecr: undefined },
      { w: 'Deployment/web', c: 'init', kind: 'initContainer', image: 'busybox:1.36', tag: '1.36', digests: [D('0')], ecr: undefined },
      { w: 'Deployment/web', c: 'main', kind: 'container', image: `${ECR}/web:1.0`, tag: '1.0', digests: [D('1'), D('2')], ecr: 'web' },
      { w: 'CronJob/nightly', c: 'init', kind: 'initContainer', image: 'busybox:1.36', tag: '1.36', digests: [D('0')], ecr: undefined },
      { w: 'CronJob/nightly', c: 'main', kind: 'container', image: `${ECR}/batch@${D('c')}`, tag: undefined, digests: [D('c')], ecr: 'batch' },
    ]);
    expect(imgs.filter((i) => i.tag === undefined).every((i) => !('tag' in i))).toBe(true);
    expect(runningImages(ev('B'))).toBe(imgs);
  });

  it('a container\'s digests: its reference\'s first, then each pod status\'s once in order of first sight (many pods and digests)', () => {
    // A Deployment whose reference names digest a, and 14 pods running digests with repeats (more than
    // a handful, so that the list is past the point where a set takes over), uppercase ones, a status
    // without a digest and a null entry.
    const own = `${ECR}/web@${D('a')}`;
    const ownDeploy = { ...deploy, spec: { ...deploy.spec, template: { ...deploy.spec.template, spec: podSpec(own) } } };
    const ownRs = { ...rs, spec: { ...rs.spec, template: ownDeploy.spec.template } };
    const seq = ['5', '3', '5', 'a', '1', '2', 'B', '4', '6', '7', '8', '9', 'b', 'c'];
    const pods = seq.map((c, n) => {
      const p = rsPod(String(n), D(c));
      return n === 3 ? { ...p, status: { ...p.status, containerStatuses: [null, { name: 'main', imageID: 'sha256:nodigestref' }, ...p.status.containerStatuses] } } : p;
    });
    const { ev } = setup([ownDeploy, ownRs, ...pods]);
    const main = runningImages(ev('A')).find((i) => i.container === 'main')!;
    expect(main.digests).toEqual([D('a'), D('5'), D('3'), D('1'), D('2'), D('b'), D('4'), D('6'), D('7'), D('8'), D('9'), D('c')]);
    expect(runningImages(ev('A')).find((i) => i.container === 'init')!.digests).toEqual([D('0')]);
  });

  it('a workload without running pods knows only the digests its references name', () => {
    const { ev } = setup([deploy, rs, cron, job]);
    expect(runningImages(ev('A')).map((i) => [i.workload.obj.metadata.name, i.container, i.digests])).toEqual([
      ['web', 'init', []], ['web', 'main', []], ['nightly', 'init', []], ['nightly', 'main', [D('c')]],
    ]);
  });
});

describe('containers of a pod spec', () => {
  it('lists init, regular and ephemeral containers in that order, each call a new list', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }], initContainers: [{ name: 'i', image: 'x' }], ephemeralContainers: [{ name: 'e', image: 'y' }] };
    expect(containersOf(spec).map((x) => `${x.kind}/${x.c.name}`)).toEqual(['initContainer/i', 'container/a', 'container/b', 'ephemeralContainer/e']);
    expect(containersOf(spec)).not.toBe(containersOf(spec));
    expect(allContainers(spec).map((c) => c.name)).toEqual(['i', 'a', 'b', 'e']);
    expect(allContainers({ containers: [{ name: 'only' }] }).map((c) => c.name)).toEqual(['only']);
    expect(allContainers({ containers: 'not a list' as never })).toEqual([]);
    expect(imagesOf(spec)).toEqual(['x', 'y']);
  });

  it('workloads() is one list per snapshot', () => {
    const { ev } = setup([deploy, rs, rsPod('1', D('1')), bare]);
    expect(workloads(ev('A'))).toBe(workloads(ev('B')));
    expect(workloads(ev('A')).map((w) => w.obj.metadata.name)).toEqual(['debug', 'web']);
  });
});
