import { describe, expect, it } from 'vitest';
import { CC6_NET_03 } from '../../src/catalog/cc6.js';
import { runCase } from '../helpers/control-tester.js';

const engineOn = `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: aws-node, namespace: kube-system }
spec:
  selector: {}
  template:
    spec:
      hostNetwork: true
      containers:
        - { name: aws-node, image: cni }
        - { name: aws-eks-nodeagent, image: agent, args: ["--enable-network-policy=true"] }
status: { desiredNumberScheduled: 1, numberReady: 1 }
`;
const ns = (name: string) => `---\napiVersion: v1\nkind: Namespace\nmetadata: { name: ${name} }\n`;
const deny = (namespace: string, types = '[Ingress, Egress]') => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: default-deny, namespace: ${namespace} }\nspec: { podSelector: {}, policyTypes: ${types} }\n`;
const dns = (namespace: string) => `---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: allow-dns, namespace: ${namespace} }\nspec: { podSelector: {}, policyTypes: [Egress], egress: [{ ports: [{ protocol: UDP, port: 53 }] }] }\n`;
const app = (namespace: string) => `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: ${namespace} }\nspec: { selector: {}, template: { spec: { containers: [{ name: c, image: x:1 }] } } }\n`;

describe('issue 13 defects in CC6-NET-03 (failed before the fix)', () => {
  it('a namespace with no NetworkPolicy and no workloads still fails netpol-default-deny', () => {
    const r = runCase(CC6_NET_03, { name: 'empty ns', k8s: engineOn + ns('shop') + deny('shop') + dns('shop') + app('shop') + ns('empty') });
    expect(r.status, r.message).toBe('fail');
    expect(r.findings.find((f) => f.rule === 'netpol-default-deny' && f.resource.name === 'empty')?.status).toBe('fail');
  });

  it('an allow-all ingress policy in the same namespace cancels a default deny (policies are additive)', () => {
    const r = runCase(CC6_NET_03, {
      name: 'allow all',
      k8s: engineOn + ns('shop') + deny('shop') + dns('shop') + app('shop')
        + '---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: allow-everything, namespace: shop }\nspec: { podSelector: {}, ingress: [{}] }\n',
    });
    expect(r.status, r.message).toBe('fail');
    expect(r.findings.find((f) => f.rule === 'netpol-default-deny' && f.resource.name === 'shop')?.message).toMatch(/allow-everything/);
  });

  it('default-deny egress is recommended: missing, it warns and the control passes', () => {
    const r = runCase(CC6_NET_03, { name: 'ingress only', k8s: engineOn + ns('shop') + deny('shop', '[Ingress]') + app('shop') });
    expect(r.status, r.message).toBe('pass');
    expect(r.findings.find((f) => f.rule === 'netpol-default-deny-egress' && f.resource.name === 'shop')?.status).toBe('warn');
  });

  it('system namespaces are reported separately, never skipped with no finding', () => {
    const r = runCase(CC6_NET_03, { name: 'system', k8s: engineOn + ns('kube-system') + ns('shop') + deny('shop') + dns('shop') + app('shop') });
    const sys = r.findings.filter((f) => f.resource.name === 'kube-system' && f.rule === 'netpol-default-deny');
    expect(sys).toHaveLength(1);
    expect(sys[0]!.system).toBe(true);
    expect(r.status, r.message).toBe('pass');
  });
});
