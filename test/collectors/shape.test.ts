import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, depthProblem, modelOf, shapeProblems } from '../../src/collectors/shape.js';
// @ts-expect-error: a plain JavaScript script without type declarations
import { buildShapes, render } from '../../scripts/gen-k8s-shapes.mjs';

describe('the Kubernetes shape table', () => {
  it('src/collectors/k8s-shapes.ts is what scripts/gen-k8s-shapes.mjs generates (run `npm run schemas`)', () => {
    const current = readFileSync(new URL('../../src/collectors/k8s-shapes.ts', import.meta.url), 'utf8');
    expect(current).toBe((render as (s: unknown) => string)((buildShapes as () => unknown)()));
  });

  it('knows the kinds checks read, by version where shapes differ, and the moved kinds', () => {
    expect(modelOf('apps/v1', 'Deployment')).toBe('V1Deployment');
    expect(modelOf('extensions/v1beta1', 'Deployment')).toBe('V1Deployment');
    expect(modelOf('autoscaling/v2', 'HorizontalPodAutoscaler')).toBe('V2HorizontalPodAutoscaler');
    expect(modelOf('autoscaling/v1', 'HorizontalPodAutoscaler')).toBe('V1HorizontalPodAutoscaler');
    expect(modelOf('kyverno.io/v1', 'ClusterPolicy')).toBeUndefined();
  });
});

describe('shapeProblems', () => {
  const pod = (spec: unknown, metadata: unknown = { name: 'p' }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });

  it('accepts what the API accepts: nulls for optional fields, unknown fields, quantities as numbers, int-or-string', () => {
    expect(shapeProblems(pod({
      containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: 1, memory: '1Gi' }, limits: null }, ports: [{ containerPort: 80 }],
        livenessProbe: { httpGet: { port: 'http' } }, futureField: { anything: [1] } }],
      initContainers: null, nodeSelector: { a: 'b' }, overhead: { cpu: 0.1 },
    }))).toEqual([]);
    expect(shapeProblems({ apiVersion: 'kyverno.io/v1', kind: 'ClusterPolicy', metadata: { name: 'p', labels: { a: 'b' } }, spec: { rules: 'anything' } })).toEqual([]);
  });

  it('names every kind of wrong type, with its path', () => {
    expect(shapeProblems(pod({ containers: [{ name: 'c', securityContext: 'privileged' }], hostNetwork: 'yes', volumes: [null] }), 5)).toEqual([
      'spec.containers[0].securityContext is the string "privileged", not a mapping',
      'spec.hostNetwork is the string "yes", not true or false',
      'spec.volumes[0] is empty (null)',
    ]);
    expect(shapeProblems(pod({ containers: [{ name: 'c' }] }, { name: 'p', labels: { version: 1.5, 'app.kubernetes.io/name': 'x' } }))).toEqual(['metadata.labels.version is the number 1.5, not a string']);
    expect(shapeProblems(pod({ containers: [{ name: 'c', ports: [{ containerPort: 80.5 }] }] }))).toEqual(['spec.containers[0].ports[0].containerPort is the number 80.5, not an integer']);
    expect(shapeProblems({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: { verbs: ['*'] } })).toEqual(['rules is a mapping, not a list']);
    expect(shapeProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', annotations: { 'a/b': ['x'] } } })).toEqual(['metadata.annotations["a/b"] is a list, not a string']);
  });

  it('requires what a check would otherwise pass on nothing: a pod spec and its containers, a template', () => {
    expect(shapeProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } })).toEqual(['spec is missing (the API server requires it)']);
    expect(shapeProblems(pod({ initContainers: [{ name: 'i' }] }))).toEqual(['spec.containers is missing (the API server requires it)']);
    expect(shapeProblems({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *' } })).toEqual(['spec.jobTemplate is missing (the API server requires it)']);
  });

  it('reads a field named like an Object.prototype member as an unknown field, not as a type', () => {
    expect(shapeProblems(pod({ containers: [{ name: 'c', constructor: 'x', toString: { a: 1 } }], hasOwnProperty: 'y' }))).toEqual([]);
    expect(shapeProblems(pod({ containers: [{ name: 'c' }], __proto__: 'z' }))).toEqual([]);
  });

  it('gives each call its own list of problems (the walker is reused between calls)', () => {
    const first = shapeProblems(pod({ containers: 'c' }));
    const clean = shapeProblems(pod({ containers: [{ name: 'c' }] }));
    const second = shapeProblems(pod({ containers: [{ name: 'c', image: 1 }] }));
    expect(first).toEqual(['spec.containers is the string "c", not a list']);
    expect(clean).toEqual([]);
    expect(second).toEqual(['spec.containers[0].image is the integer 1, not a string']);
    // A problem deep in one object leaves no path behind for the next.
    expect(shapeProblems(pod({ containers: [{ name: 'c', ports: [{ containerPort: 'x' }] }] }))).toEqual(['spec.containers[0].ports[0].containerPort is the string "x", not an integer']);
    expect(shapeProblems(pod({ containers: [{ name: 'c' }], hostPID: 1 }))).toEqual(['spec.hostPID is the integer 1, not true or false']);
    expect(first).toHaveLength(1);
  });

  it('bounds nesting everywhere, typed or not', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_DEPTH + 5; i++) deep = { a: deep };
    // The path is shown by its two ends.
    expect(shapeProblems({ apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, spec: deep })[0]).toMatch(new RegExp(`^spec(\\.a)+….*\\.a is nested more than ${MAX_DEPTH} levels deep$`));
    expect(depthProblem([deep])).toMatch(/nested more than/);
    expect(depthProblem({ a: [1, { b: 2 }] })).toBeUndefined();
  });
});
