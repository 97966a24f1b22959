import { describe, expect, it } from 'vitest';
import {
  accessPolicy, allows, allowsNonResource, beyondDiscovery, classifySubject, isAdminAccessPolicy, isAdminEquivalent, ruleAllows,
} from '../../src/catalog/lib/permissions.js';
import type { PolicyRule } from '../../src/catalog/lib/permissions.js';

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames: string[] = []): PolicyRule => ({ apiGroups, resources, verbs, resourceNames, nonResourceURLs: [] });
const urls = (nonResourceURLs: string[], verbs = ['get']): PolicyRule => ({ apiGroups: [], resources: [], verbs, resourceNames: [], nonResourceURLs });

/** The RBAC authorizer's matching (k8s.io/kubernetes pkg/apis/rbac/v1 evaluation helpers). */
describe('RBAC rule matching', () => {
  it('"*" matches every verb, group and resource, subresources included', () => {
    const r = rule(['*'], ['*'], ['*']);
    expect(ruleAllows(r, 'create', '', 'pods/exec')).toBe(true);
    expect(ruleAllows(r, 'escalate', 'rbac.authorization.k8s.io', 'clusterroles')).toBe(true);
  });
  it('a resource does not match its subresources, "*/sub" matches that subresource of any resource, "res/*" is not a form', () => {
    expect(ruleAllows(rule([''], ['pods'], ['create']), 'create', '', 'pods/exec')).toBe(false);
    expect(ruleAllows(rule([''], ['*/exec'], ['create']), 'create', '', 'pods/exec')).toBe(true);
    expect(ruleAllows(rule([''], ['*/exec'], ['create']), 'create', '', 'pods')).toBe(false);
    expect(ruleAllows(rule([''], ['pods/*'], ['create']), 'create', '', 'pods/exec')).toBe(false);
  });
  it('resourceNames limit a rule to the named objects: never a list, a create or the whole kind', () => {
    const named = rule([''], ['secrets'], ['get', 'list'], ['tls']);
    expect(ruleAllows(named, 'get', '', 'secrets', 'tls')).toBe(true);
    expect(ruleAllows(named, 'get', '', 'secrets', 'other')).toBe(false);
    expect(ruleAllows(named, 'list', '', 'secrets')).toBe(false);
    expect(allows([named], ['get'], '', 'secrets')).toBe(false);
    expect(allows([named], ['get'], '', 'secrets', { named: true })).toBe(true);
  });
  it('API groups match exactly: the core group is "" only', () => {
    expect(ruleAllows(rule(['apps'], ['secrets'], ['get']), 'get', '', 'secrets')).toBe(false);
  });
  it('non-resource URLs match exactly or by a trailing "*" prefix, and never grant resources', () => {
    expect(allowsNonResource([urls(['/apis/*'])], 'get', '/apis/apps/v1')).toBe(true);
    expect(allowsNonResource([urls(['/healthz'])], 'get', '/healthz/etcd')).toBe(false);
    expect(allows([urls(['*'], ['*'])], ['get'], '', 'secrets')).toBe(false);
  });
  it('cluster-admin equivalence: every verb ("*", or every read and write verb, over one or more rules) on "*" resources of "*" groups, without resourceNames', () => {
    expect(isAdminEquivalent([rule(['*'], ['*'], ['*'])])).toBe(true);
    expect(isAdminEquivalent([rule(['*'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'])])).toBe(true);
    expect(isAdminEquivalent([rule(['*'], ['*'], ['get', 'list', 'watch']), rule(['*'], ['*'], ['create', 'update', 'patch', 'delete'])])).toBe(true);
    expect(isAdminEquivalent([rule(['*'], ['*'], ['get', 'list', 'watch', 'create', 'update', 'patch'])])).toBe(false);
    expect(isAdminEquivalent([rule(['*'], ['*'], ['*'], ['one'])])).toBe(false);
    expect(isAdminEquivalent([rule([''], ['*'], ['*'])])).toBe(false);
  });
});

describe('discovery-only grants', () => {
  it('get on discovery and health paths and the self-reviews are discovery; anything else is not', () => {
    expect(beyondDiscovery([urls(['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/version', '/openapi/*'])])).toEqual([]);
    expect(beyondDiscovery([rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create'])])).toEqual([]);
    expect(beyondDiscovery([urls(['/metrics'])])).toHaveLength(1);
    expect(beyondDiscovery([urls(['/healthz'], ['get', 'post'])])).toHaveLength(1);
    expect(beyondDiscovery([rule(['authorization.k8s.io'], ['subjectaccessreviews'], ['create'])])).toHaveLength(1);
  });
});

describe('subjects by meaning', () => {
  const sys = (ns: string | undefined) => ns === 'kube-system' || ns === 'flux-system';
  it.each([
    [{ kind: 'Group', name: 'system:authenticated' }, 'everyone'],
    [{ kind: 'Group', name: 'system:serviceaccounts' }, 'everyone'],
    [{ kind: 'User', name: 'system:anonymous' }, 'anonymous'],
    [{ kind: 'Group', name: 'system:unauthenticated' }, 'anonymous'],
    [{ kind: 'Group', name: 'system:serviceaccounts:shop' }, 'workload'],
    [{ kind: 'Group', name: 'system:serviceaccounts:kube-system' }, 'system'],
    [{ kind: 'User', name: 'system:serviceaccount:shop:api' }, 'workload'],
    [{ kind: 'ServiceAccount', name: 'kustomize-controller', namespace: 'flux-system' }, 'system'],
    [{ kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' }, 'workload'],
    [{ kind: 'Group', name: 'system:masters' }, 'system'],
    [{ kind: 'User', name: 'eks:addon-manager' }, 'system'],
    [{ kind: 'User', name: 'jane' }, 'user'],
    [{ kind: 'Group', name: 'platform-admins' }, 'group'],
  ])('%o is %s', (s, cls) => expect(classifySubject(s, sys)).toBe(cls));
});

describe('EKS access policies', () => {
  it('admin policies make a cluster-admin principal only at cluster scope', () => {
    const arn = (n: string) => `arn:aws:eks::aws:cluster-access-policy/${n}`;
    expect(isAdminAccessPolicy(arn('AmazonEKSClusterAdminPolicy'), 'cluster')).toBe(true);
    expect(isAdminAccessPolicy(arn('AmazonEKSAdminPolicy'), 'cluster')).toBe(true);
    expect(isAdminAccessPolicy(arn('AmazonEKSAdminPolicy'), 'namespace')).toBe(false);
    expect(isAdminAccessPolicy(arn('AmazonEKSEditPolicy'), 'cluster')).toBe(false);
  });
  it('carry the documented rules: view reads no Secrets, admin-view and secret-reader do, edit execs', () => {
    const rules = (n: string) => accessPolicy(`arn:aws:eks::aws:cluster-access-policy/${n}`).rules!;
    expect(allows(rules('AmazonEKSViewPolicy'), ['get', 'list'], '', 'secrets')).toBe(false);
    expect(allows(rules('AmazonEKSAdminViewPolicy'), ['list'], '', 'secrets')).toBe(true);
    expect(allows(rules('AmazonEKSSecretReaderPolicy'), ['watch'], '', 'secrets')).toBe(true);
    expect(allows(rules('AmazonEKSEditPolicy'), ['create'], '', 'pods/exec')).toBe(true);
    expect(allows(rules('AmazonEKSEditPolicy'), ['create'], 'rbac.authorization.k8s.io', 'rolebindings')).toBe(false);
    expect(allows(rules('AmazonEKSAdminPolicy'), ['create'], 'rbac.authorization.k8s.io', 'rolebindings')).toBe(true);
    expect(isAdminEquivalent(rules('AmazonEKSClusterAdminPolicy'))).toBe(true);
    expect(accessPolicy('arn:aws:eks::aws:cluster-access-policy/AmazonEKSAutoNodePolicy').service).toBe(true);
    expect(accessPolicy('arn:aws:eks::aws:cluster-access-policy/SomethingNew').rules).toBeUndefined();
  });
});
