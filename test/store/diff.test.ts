import { describe, expect, it } from 'vitest';
import { diffRuns } from '../../src/store/index.js';
import { fakeRun, finding } from './fake.js';

const at1 = new Date(Date.UTC(2026, 0, 1));
const at2 = new Date(Date.UTC(2026, 0, 2));

describe('diffRuns', () => {
  it('finds controls and resources that newly fail, were fixed, or changed', () => {
    const a = fakeRun(at1, [
      { id: 'CC5-A-01', status: 'pass', findings: [finding('pass', 'web'), finding('pass', 'api')] },
      { id: 'CC5-B-01', status: 'fail', findings: [finding('fail', 'db'), finding('pass', 'web')] },
      { id: 'CC6-C-01', status: 'fail', findings: [finding('fail', 'cache'), finding('fail', 'old-job')] },
      { id: 'CC6-D-01', status: 'pass', findings: [finding('pass', 'web')] },
      { id: 'CC7-E-01', status: 'manual' },
    ]).run;
    const b = fakeRun(at2, [
      { id: 'CC5-A-01', status: 'fail', findings: [finding('pass', 'web'), finding('fail', 'api'), finding('fail', 'new-svc')] },
      { id: 'CC5-B-01', status: 'pass', findings: [finding('pass', 'db'), finding('pass', 'web')] },
      { id: 'CC6-C-01', status: 'fail', findings: [finding('waived', 'cache'), finding('fail', 'other')] },
      { id: 'CC6-D-01', status: 'pass', findings: [finding('pass', 'web')] },
      { id: 'CC8-F-01', status: 'pass' },
    ]).run;
    const d = diffRuns(a, b, { from: { runId: 'r1' }, to: { runId: 'r2' } });
    expect(d.schema).toBe('eks-soc2/diff@1');
    expect(d.from.runId).toBe('r1');
    expect(d.sameCluster).toBe(true);
    expect(d.controls.map((c) => [c.id, c.change, c.from, c.to])).toEqual([
      ['CC5-A-01', 'newly-failing', 'pass', 'fail'],
      ['CC5-B-01', 'fixed', 'fail', 'pass'],
      ['CC8-F-01', 'added', undefined, 'pass'],
      ['CC7-E-01', 'removed', 'manual', undefined],
    ]);
    expect(d.controls[0]).toMatchObject({ failingFrom: 0, failingTo: 2 });
    expect(d.summary.controls).toEqual({ 'newly-failing': 1, fixed: 1, changed: 0, added: 1, removed: 1, unchanged: 2 });
    const res = d.resources.map((r) => [r.control, r.resource.name, r.change, r.from, r.to]);
    expect(res).toEqual(expect.arrayContaining([
      ['CC5-A-01', 'api', 'newly-failing', 'pass', 'fail'],
      ['CC5-A-01', 'new-svc', 'newly-failing', undefined, 'fail'],
      ['CC6-C-01', 'other', 'newly-failing', undefined, 'fail'],
      ['CC5-B-01', 'db', 'fixed', 'fail', 'pass'],
      ['CC6-C-01', 'old-job', 'fixed', 'fail', undefined],
      ['CC6-C-01', 'cache', 'changed', 'fail', 'waived'],
    ]));
    expect(res).toHaveLength(6);
    expect(d.summary.resources).toEqual({ 'newly-failing': 3, fixed: 2, changed: 1 });
    expect(d.resources.find((r) => r.resource.name === 'old-job')?.message).toMatch(/no longer reported/);
  });

  it('the worst status wins when several findings name one resource under one rule', () => {
    const a = fakeRun(at1, [{ id: 'CC5-A-01', status: 'pass', findings: [finding('pass', 'web'), finding('pass', 'web')] }]).run;
    const b = fakeRun(at2, [{ id: 'CC5-A-01', status: 'fail', findings: [finding('pass', 'web'), finding('fail', 'web')] }]).run;
    const d = diffRuns(a, b);
    expect(d.resources).toHaveLength(1);
    expect(d.resources[0]).toMatchObject({ change: 'newly-failing', from: 'pass', to: 'fail' });
  });

  it('says when the runs are of different clusters', () => {
    const a = fakeRun(at1, [{ id: 'CC5-A-01', status: 'pass' }]).run;
    const b = fakeRun(at2, [{ id: 'CC5-A-01', status: 'pass' }], { cluster: { name: 'other', accountId: '222233334444', region: 'us-east-1' } }).run;
    const d = diffRuns(a, b);
    expect(d.sameCluster).toBe(false);
    expect(d.controls).toEqual([]);
    expect(d.summary.controls.unchanged).toBe(1);
  });

  it('a rule re-classified as recommended (fail → warn) reads as a change, never as fixed', () => {
    const a = fakeRun(at1, [
      { id: 'CC4-MON-02', status: 'fail', findings: [finding('fail', 'org-trail', 'trail-kms'), finding('pass', 'org-trail', 'trail-logging')] },
      { id: 'CC5-B-01', status: 'fail', findings: [finding('fail', 'db')] },
    ]).run;
    const b = fakeRun(at2, [
      { id: 'CC4-MON-02', status: 'pass', findings: [finding('warn', 'org-trail', 'trail-kms'), finding('pass', 'org-trail', 'trail-logging')] },
      { id: 'CC5-B-01', status: 'pass', findings: [finding('pass', 'db')] },
    ]).run;
    a.schema = 'eks-soc2/run@1';
    const d = diffRuns(a, b);
    expect(d.controls.map((c) => [c.id, c.change, c.from, c.to, c.reclassified])).toEqual([
      ['CC5-B-01', 'fixed', 'fail', 'pass', undefined],
      ['CC4-MON-02', 'changed', 'fail', 'pass', 1],
    ]);
    const r = d.resources.find((x) => x.control === 'CC4-MON-02')!;
    expect([r.change, r.from, r.to]).toEqual(['changed', 'fail', 'warn']);
    expect(r.message).toMatch(/^now a warning \(the rule is recommended, not required\)/);
    expect(d.summary.controls.fixed).toBe(1);
  });

  it('warn ranks between error and waived when several findings name one resource under a rule', () => {
    const a = fakeRun(at1, [{ id: 'CC5-A-01', status: 'pass', findings: [finding('pass', 'web')] }]).run;
    const warnOverWaived = fakeRun(at2, [{ id: 'CC5-A-01', status: 'pass', findings: [finding('waived', 'web'), finding('warn', 'web')] }]).run;
    expect(diffRuns(a, warnOverWaived).resources.map((x) => x.to)).toEqual(['warn']);
    const errorOverWarn = fakeRun(at2, [{ id: 'CC5-A-01', status: 'error', findings: [finding('warn', 'web'), finding('error', 'web')] }]).run;
    expect(diffRuns(a, errorOverWarn).resources.map((x) => x.to)).toEqual(['error']);
  });
});
