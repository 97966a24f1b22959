import type { K8sObject } from '../../model/index.js';
import type { LabelSelector } from './selectors.js';
import { arr } from './workloads.js';

/**
 * Kubernetes NetworkPolicy semantics (networking.k8s.io/v1) for judging a namespace's posture:
 * policies are additive — a pod selected by any policy of a direction is isolated in that direction
 * and allowed the union of what every policy selecting it allows — so a default deny is only a deny
 * while no policy allows everything to the pods it covers.
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */

export interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr?: string; except?: string[] };
}

export interface PolicyRule {
  ports?: { port?: number | string; protocol?: string; endPort?: number }[];
  from?: Peer[];
  to?: Peer[];
}

export interface NpSpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

export function npSpec(p: K8sObject): NpSpec {
  return (p.spec ?? {}) as NpSpec;
}

const emptySelector = (s: LabelSelector | undefined): boolean =>
  s !== undefined && s !== null && Object.keys(s.matchLabels ?? {}).length === 0 && arr(s.matchExpressions).length === 0;

/** The policy selects every pod of its namespace (`podSelector: {}`). */
export function selectsAllPods(s: NpSpec): boolean {
  return emptySelector(s.podSelector ?? {});
}

/**
 * The directions a policy applies to, as the API server defaults them: without `policyTypes`, Ingress
 * always, and Egress only when the policy has egress rules (an empty `egress: []` does not count).
 */
export function policyTypes(s: NpSpec): string[] {
  if (Array.isArray(s.policyTypes) && s.policyTypes.length > 0) return s.policyTypes;
  return ['Ingress', ...(arr(s.egress).length > 0 ? ['Egress'] : [])];
}

/** Every pod of the namespace is isolated for ingress and this policy allows none (`podSelector: {}`, Ingress, no rules). */
export function isDefaultDenyIngress(p: K8sObject): boolean {
  const s = npSpec(p);
  return selectsAllPods(s) && policyTypes(s).includes('Ingress') && arr(s.ingress).length === 0;
}

export function isDefaultDenyEgress(p: K8sObject): boolean {
  const s = npSpec(p);
  return selectsAllPods(s) && policyTypes(s).includes('Egress') && arr(s.egress).length === 0;
}

const OPEN_CIDRS = new Set(['0.0.0.0/0', '::/0']);

/**
 * Whom a peer matches when it matches "everyone": `any` for every address (an ipBlock of 0.0.0.0/0 or ::/0
 * without exceptions), `cluster` for every pod of every namespace (an empty namespaceSelector, with no or an
 * empty podSelector) — which is not traffic from outside the cluster. Undefined for a narrower peer.
 */
function peerScope(peer: Peer): OpenScope | undefined {
  if (!peer || typeof peer !== 'object') return undefined;
  if (peer.ipBlock) return OPEN_CIDRS.has(String(peer.ipBlock.cidr ?? '')) && arr(peer.ipBlock.except).length === 0 ? 'any' : undefined;
  return emptySelector(peer.namespaceSelector) && (peer.podSelector === undefined || emptySelector(peer.podSelector)) ? 'cluster' : undefined;
}

/** How far a policy opens the pods it selects on every port: every address, or every pod of the cluster. */
export type OpenScope = 'any' | 'cluster';

/** The widest scope a rule allows on every port (no `ports`): no `from`/`to` is every address. */
function ruleScope(rule: PolicyRule | undefined, side: 'from' | 'to'): OpenScope | undefined {
  if (!rule || typeof rule !== 'object') return undefined;
  if (arr(rule.ports).length > 0) return undefined;
  const peers = arr<Peer>(rule[side]);
  if (peers.length === 0) return 'any';
  let scope: OpenScope | undefined;
  for (const peer of peers) {
    const s = peerScope(peer);
    if (s === 'any') return 'any';
    if (s) scope = s;
  }
  return scope;
}

function widest(rules: readonly PolicyRule[], side: 'from' | 'to'): OpenScope | undefined {
  let scope: OpenScope | undefined;
  for (const r of rules) {
    const s = ruleScope(r, side);
    if (s === 'any') return 'any';
    if (s) scope = s;
  }
  return scope;
}

/** Whether (and how widely) the policy allows ingress on every port to the pods it selects. */
export function openIngressScope(p: K8sObject): OpenScope | undefined {
  const s = npSpec(p);
  return policyTypes(s).includes('Ingress') ? widest(arr<PolicyRule>(s.ingress), 'from') : undefined;
}

/** Whether (and how widely) the policy allows the pods it selects egress on every port. */
export function openEgressScope(p: K8sObject): OpenScope | undefined {
  const s = npSpec(p);
  return policyTypes(s).includes('Egress') ? widest(arr<PolicyRule>(s.egress), 'to') : undefined;
}

/** The policy allows every source (every address, or every pod of every namespace) on every port to the pods it selects. */
export function allowsAllIngress(p: K8sObject): boolean {
  return openIngressScope(p) !== undefined;
}

/** The policy allows the pods it selects to reach every destination (or every pod of every namespace) on every port. */
export function allowsAllEgress(p: K8sObject): boolean {
  return openEgressScope(p) !== undefined;
}

/** Words for the sources (`from`) or destinations (`to`) a set of open policies allows. */
export function openScopeWords(policies: readonly K8sObject[], side: 'from' | 'to'): string {
  const any = policies.some((p) => (side === 'from' ? openIngressScope(p) : openEgressScope(p)) === 'any');
  if (any) return side === 'from' ? 'every source' : 'every destination';
  return 'every pod of every namespace';
}

/** Some egress policy allows DNS (port 53, a named DNS port, or all ports to its destinations). */
export function allowsDns(policies: readonly K8sObject[]): boolean {
  return policies.some((p) => policyTypes(npSpec(p)).includes('Egress') && arr<PolicyRule>(npSpec(p).egress).some((r) => {
    const ports = arr<{ port?: number | string }>(r?.ports);
    if (ports.length === 0) return true; // all ports to its destinations
    return ports.some((x) => x.port === 53 || x.port === '53' || x.port === 'dns' || x.port === 'dns-tcp');
  }));
}
