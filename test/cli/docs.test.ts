import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog, CATALOG_VERSION } from '../../src/catalog/index.js';
import { controlsMarkdown, controlsReference, withControlTable } from '../../src/cli/commands/controls.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

describe('generated documentation is current (run `npm run docs`)', () => {
  it('docs/controls.md matches the catalog', () => {
    expect(read('docs/controls.md')).toBe(controlsReference(catalog, CATALOG_VERSION));
  });

  it('the README control table matches the catalog', () => {
    const readme = read('README.md');
    expect(readme).toBe(withControlTable(readme, controlsMarkdown(catalog)));
    for (const c of catalog) expect(readme).toContain(`| ${c.id} |`);
  });
});

describe('the catalog', () => {
  it('has the 53 checklist items and the Part 1 items, each with complete metadata', () => {
    const checklist = catalog.filter((c) => c.section !== 'P1');
    expect(checklist).toHaveLength(53);
    expect(catalog.filter((c) => c.section === 'P1').map((c) => c.id)).toEqual(
      ['P1-IAM-01', 'P1-IAM-02', 'P1-IAM-03', 'P1-IAM-04', 'P1-IAM-05', 'P1-IAM-07', 'P1-IAM-08', 'P1-IAM-09', 'P1-INV-01']);
    expect(new Set(catalog.map((c) => c.id)).size).toBe(catalog.length);
    for (const c of catalog) {
      expect(c.title.length, c.id).toBeGreaterThan(10);
      expect(c.description.length, c.id).toBeGreaterThan(40);
      expect(c.tsc.length, c.id).toBeGreaterThan(0);
      expect(c.owners.primary.length, c.id).toBeGreaterThan(0);
      expect(c.remediation.summary.length, c.id).toBeGreaterThan(10);
      expect(c.references.length, c.id).toBeGreaterThan(0);
      // Automated controls always have a check; manual ones may not; none passes without evidence or an attestation.
      if (c.automation !== 'manual') expect(typeof c.check, c.id).toBe('function');
      if (c.automation !== 'automated') expect(c.attestation ?? '', c.id).not.toBe('');
    }
  });

  it('never repeats the checklist\'s broken commands in a fix (controls.md §2)', () => {
    const fixes = catalog.flatMap((c) => c.remediation.commands ?? []).join('\n');
    expect(fixes).not.toMatch(/kubectl logs job\/kube-bench-eks/);
    expect(fixes).not.toMatch(/create-cluster[^\n]*--authentication-mode/);
    expect(fixes).not.toMatch(/falco\.grpc\.enabled=true/);
    expect(fixes).not.toMatch(/kmsKeyId: alias\//);
  });
});

describe('rule levels', () => {
  // The type makes `level` mandatory; this keeps it so for rules built at run time (spread tables).
  it('every rule of every control declares its level and, when recommended, why', () => {
    const missing = catalog.flatMap((c) => Object.entries(c.rules ?? {}).filter(([, r]) => (r.level as string | undefined) === undefined).map(([id]) => `${c.id}/${id}`));
    expect(missing, `rules without a level: ${missing.join(', ')}`).toEqual([]);
    // A rule that only warns must say why the checklist does not need it.
    const unexplained = catalog.flatMap((c) => Object.entries(c.rules ?? {}).filter(([, r]) => r.level === 'recommended' && !r.basis).map(([id]) => `${c.id}/${id}`));
    expect(unexplained, `recommended rules without a basis: ${unexplained.join(', ')}`).toEqual([]);
  });
});
