import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { applyOps, editFile, parseForEdit } from '../../src/fix/edit.js';
import type { ObjectOp } from '../../src/fix/types.js';

function edit(text: string, ops: ObjectOp[], index = 0): string {
  const f = parseForEdit(text);
  return editFile(f, [{ target: f.objects[index]!, ops }]);
}

/** Lines of `before` that are not in `after` (a changed line shows up here). */
function removedLines(before: string, after: string): string[] {
  const rest = after.split('\n');
  return before.split('\n').filter((l) => { const i = rest.indexOf(l); if (i === -1) return true; rest.splice(i, 1); return false; });
}

const DEPLOY = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # public
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: "nginx:1.27"
          securityContext:
            privileged: true
            runAsUser: 1000   # uid
        - name: side
          image: busybox
      volumes: []
---
apiVersion: v1
kind: Service
metadata: { name: web }
`;

describe('editFile', () => {
  it('adds keys at the indentation of their siblings and keeps every other line', () => {
    const out = edit(DEPLOY, [
      { op: 'set', path: ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'allowPrivilegeEscalation'], value: false },
      { op: 'append', path: ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: 'ALL' },
      { op: 'set', path: ['spec', 'template', 'spec', 'containers', 1, 'securityContext', 'readOnlyRootFilesystem'], value: true },
      { op: 'set', path: ['spec', 'template', 'spec', 'securityContext', 'seccompProfile', 'type'], value: 'RuntimeDefault' },
    ]);
    expect(out).toContain(`            runAsUser: 1000   # uid
            allowPrivilegeEscalation: false
            capabilities:
              drop:
                - ALL
        - name: side
          image: busybox
          securityContext:
            readOnlyRootFilesystem: true
      volumes: []
      securityContext:
        seccompProfile:
          type: RuntimeDefault
---`);
    expect(removedLines(DEPLOY, out)).toEqual([]);
    const docs = parseAllDocuments(out).map((d) => d.toJS());
    expect(docs[1]).toEqual({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } });
  });

  it('removes a key on its own line, or sets false where it cannot be removed cleanly', () => {
    const out = edit(DEPLOY, [{ op: 'delete', path: ['spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'], orSet: false }]);
    expect(removedLines(DEPLOY, out)).toEqual(['            privileged: true']);
    const inline = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  containers:\n  - {name: a, securityContext: {privileged: true}}\n';
    const o2 = edit(inline, [
      { op: 'delete', path: ['spec', 'containers', 0, 'securityContext', 'privileged'], orSet: false },
      { op: 'delete', path: ['spec', 'hostNetwork'], orSet: false },
    ]);
    expect(o2).toBe('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, securityContext: {privileged: false}}\n');
  });

  it('fills an empty value with a block, keeping the comment on the key line', () => {
    const t = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext: {}  # none yet\n  containers: []\n';
    const out = edit(t, [{ op: 'set', path: ['spec', 'securityContext', 'runAsNonRoot'], value: true }]);
    expect(out).toBe('apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  securityContext:  # none yet\n    runAsNonRoot: true\n  containers: []\n');
  });

  it('edits JSON manifests as JSON', () => {
    const t = '{\n  "apiVersion": "v1",\n  "kind": "Namespace",\n  "metadata": {\n    "name": "shop",\n    "labels": {"team": "a"}\n  }\n}\n';
    const out = edit(t, [{ op: 'set', path: ['metadata', 'labels', 'pod-security.kubernetes.io/enforce'], value: 'restricted' }, { op: 'set', path: ['metadata', 'annotations'], value: { a: 'b' } }]);
    expect(JSON.parse(out)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a', 'pod-security.kubernetes.io/enforce': 'restricted' }, annotations: { a: 'b' } } });
    expect(removedLines(t, out)).toEqual(['    "labels": {"team": "a"}']);
  });

  it('keeps sequence style: flow lists get a flow item, non-indented block lists a non-indented one', () => {
    const t = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    securityContext:\n      capabilities:\n        drop: [NET_RAW]\n  - name: b\n    securityContext:\n      capabilities:\n        drop:\n        - NET_RAW\n';
    const out = edit(t, [
      { op: 'append', path: ['spec', 'containers', 0, 'securityContext', 'capabilities', 'drop'], value: 'ALL' },
      { op: 'append', path: ['spec', 'containers', 1, 'securityContext', 'capabilities', 'drop'], value: 'ALL' },
    ]);
    expect(out).toBe(t.replace('[NET_RAW]', '[NET_RAW, ALL]') + '        - ALL\n');
  });

  it('quotes strings that YAML would read as something else', () => {
    const t = 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: gp3\nprovisioner: ebs.csi.aws.com\nparameters:\n  type: gp3\n';
    const out = edit(t, [{ op: 'set', path: ['parameters', 'encrypted'], value: 'true' }]);
    expect(out).toBe(`${t}  encrypted: "true"\n`);
    expect(parse(out).parameters.encrypted).toBe('true');
    const o2 = edit(out.replace('"true"', "'false'"), [{ op: 'set', path: ['parameters', 'encrypted'], value: 'true' }]);
    expect(parse(o2).parameters.encrypted).toBe('true');
  });

  it('edits List items in place', () => {
    const t = 'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: default\n    namespace: a\n- apiVersion: v1\n  kind: ServiceAccount\n  metadata:\n    name: default\n    namespace: b\n';
    const f = parseForEdit(t);
    expect(f.objects.map((o) => o.namespace)).toEqual(['a', 'b']);
    const out = editFile(f, [{ target: f.objects[1]!, ops: [{ op: 'set', path: ['automountServiceAccountToken'], value: false }] }]);
    expect(out).toBe(`${t}  automountServiceAccountToken: false\n`);
  });

  it('applyOps is the reference the text is checked against', () => {
    expect(applyOps({ a: { b: [1] } }, [{ op: 'append', path: ['a', 'b'], value: 2 }, { op: 'set', path: ['c', 'd'], value: true }, { op: 'delete', path: ['a', 'x'] }]))
      .toEqual({ a: { b: [1, 2] }, c: { d: true } });
  });

  it('a file without a final newline gets one only where a line is added', () => {
    const t = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default';
    expect(edit(t, [{ op: 'set', path: ['automountServiceAccountToken'], value: false }])).toBe(`${t}\nautomountServiceAccountToken: false\n`);
  });
});
