import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globMatch, wildcardMatch } from '../../src/model/index.js';
import { iamMatch } from '../../src/catalog/lib/iam.js';
import { wildcardMatch as ecrWildcard } from '../../src/catalog/lib/scanners.js';

/** The translation to a regular expression the matchers used before (right answers, exponential time). */
function viaRegExp(pattern: string, value: string): boolean {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's').test(value);
}

describe('wildcard matching (waiver globs, namespace lists, IAM and ECR wildcards)', () => {
  it('answers a backtracking pattern against a 253-character name at once (issue 18 item 10: 248 s as a regular expression)', () => {
    const name = 'a-'.repeat(126) + 'b';
    expect(name).toHaveLength(253);
    // Each of these needs millions of steps from a backtracking engine; the iterative matcher is
    // bounded by len(pattern) × len(name). Were it exponential, the test would hit its timeout.
    for (const p of ['*-*-*-*-*-*-canary', '*a*a*a*a*a*a*a*a*a*a*c', '*-*-*-*-*-*-*-*-*-*-*-*-?-canary']) {
      expect(globMatch(p, name)).toBe(false);
      expect(iamMatch(p, name)).toBe(false);
      expect(ecrWildcard(p, name)).toBe(false);
    }
    expect(globMatch('*-*-*-*-*-*-b', name)).toBe(true);
  });

  it('means what the regular expression meant, on any pattern and value', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '*', '?', '.', '\n');
    fc.assert(fc.property(fc.string({ unit: alphabet, maxLength: 8 }), fc.string({ unit: fc.constantFrom('a', 'b', '-', '.', '\n', '*', '?'), maxLength: 10 }), (p, v) => {
      expect(globMatch(p, v)).toBe(viaRegExp(p, v));
    }), { numRuns: 3000 });
  });

  it('honours case-insensitivity (IAM) and literal question marks (ECR)', () => {
    expect(iamMatch('EKS:Describe*', 'eks:DescribeCluster')).toBe(true);
    expect(iamMatch('eks:Describe?luster', 'eks:DescribeCluster')).toBe(true);
    expect(ecrWildcard('repo?', 'repo1')).toBe(false);
    expect(ecrWildcard('repo?', 'repo?')).toBe(true);
    expect(wildcardMatch('prod-**', 'prod-a')).toBe(true);
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('', 'x')).toBe(false);
  });
});
