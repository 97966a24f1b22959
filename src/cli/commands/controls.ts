import type { Command } from 'commander';
import type { ControlDefinition, EvidenceKey, RuleLevel, Severity } from '../../model/index.js';
import { SECTIONS } from '../../model/index.js';
import { UserError } from '../errors.js';

export function registerControls(program: Command): void {
  program
    .command('controls')
    .description('list the control catalog')
    .option('--format <format>', 'table (controls and their rules), json, or markdown (the full reference, as docs/controls.md)', 'table')
    .option('--section <id>', 'only this checklist section')
    .action(async (opts: { format: string; section?: string }) => {
      const { catalog, CATALOG_VERSION } = await import('../../catalog/index.js');
      const list = opts.section ? catalog.filter((c) => c.section === opts.section!.toUpperCase()) : [...catalog];
      switch (opts.format) {
        case 'json':
          process.stdout.write(`${JSON.stringify({ catalogVersion: CATALOG_VERSION, controls: list.map(controlJson) }, null, 2)}\n`);
          break;
        case 'markdown':
          process.stdout.write(controlsReference(list, CATALOG_VERSION));
          break;
        case 'table':
          for (const c of list) {
            process.stdout.write(`${c.id.padEnd(12)} ${c.automation.padEnd(9)} ${c.severity.padEnd(8)} ${c.tsc.join(',').padEnd(24)} ${c.title}\n`);
            for (const r of ruleReference(c)) {
              process.stdout.write(`  ${r.id.padEnd(32)} ${r.level.padEnd(12)} ${r.severity.padEnd(8)} reads: ${r.reads}\n`);
            }
          }
          process.stdout.write(`\n${list.length} controls (catalog ${CATALOG_VERSION}): id, automation, default severity (a run shows the highest severity among a control's failing findings instead), TSC, title; per rule: level (required fails the control, recommended warns), severity, the evidence it reads\n`);
          break;
        default:
          throw new UserError(`--format must be table, json or markdown (got "${opts.format}")`);
      }
    });
}

/** A rule of the catalog as the reference shows it: its level, why, its severity and the evidence it reads. */
export interface RuleReference {
  id: string;
  title: string;
  /** `required` when not declared (the engine's default until every rule is classified). */
  level: RuleLevel;
  /** False while the rule has no explicit level. */
  basis?: string;
  severity: Severity;
  /** In words: the evidence it reads besides the object it judges. */
  reads: string;
  /** The evidence it reads (undefined: all of the control's; []: the object itself). */
  evidence?: { what: string; anyOf: EvidenceKey[] }[];
}

/** `RuleMeta.evidence` omitted: every requirement of the control. */
export const READS_CONTROL = "all of the control's evidence";
/** `RuleMeta.evidence` = []: each object on its own. */
export const READS_OBJECT = 'the object itself';

export function ruleReference(c: ControlDefinition): RuleReference[] {
  return Object.entries(c.rules ?? {}).map(([id, r]) => {
    const evidence = r.evidence?.map((e) => (typeof e === 'string'
      ? { what: c.requires.find((q) => q.anyOf.includes(e))?.what ?? e.replace(/^(k8s|aws|tool):/, ''), anyOf: [e] }
      : { what: e.what, anyOf: e.anyOf }));
    const reads = !evidence ? READS_CONTROL : evidence.length === 0 ? READS_OBJECT : [...new Set(evidence.map((e) => e.what))].join('; ');
    return {
      id, title: r.title, level: r.level, ...(r.basis ? { basis: r.basis } : {}),
      severity: r.severity, reads, ...(evidence ? { evidence } : {}),
    };
  });
}

export function controlJson(c: ControlDefinition) {
  return {
    id: c.id, title: c.title, section: c.section, sectionTitle: SECTIONS[c.section], subheading: c.subheading,
    tsc: c.tsc, owners: c.owners, automation: c.automation, severity: c.severity, defaultSeverity: c.severity, description: c.description,
    evidence: c.requires.map((r) => ({ what: r.what, anyOf: r.anyOf })), optionalEvidence: c.optional ?? [],
    rules: Object.fromEntries(ruleReference(c).map(({ id, ...r }) => [id, r])),
    attestation: c.attestation ?? null, remediation: c.remediation, references: c.references,
    implemented: Boolean(c.check) || c.automation === 'manual',
  };
}

/** The Markdown control table (also used to generate docs/controls.md and the README table). */
export function controlsMarkdown(list: readonly ControlDefinition[]): string {
  const lines = ['| ID | Control | TSC | Automation | Evidence |', '| --- | --- | --- | --- | --- |'];
  let section = '';
  for (const c of list) {
    if (c.section !== section) {
      section = c.section;
      lines.push(`| **${c.section}** | **${SECTIONS[c.section]}** | | | |`);
    }
    const ev = c.requires.map((r) => r.what).join('; ') || '(attestation)';
    lines.push(`| ${c.id} | ${c.title.replace(/\|/g, '\\|')} | ${c.tsc.join(', ')} | ${c.automation} | ${ev.replace(/\|/g, '\\|')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** Escape text for a Markdown table cell or paragraph (catalog text is ours, but may hold | and <). */
function md(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

/** docs/controls.md: every control with its metadata, evidence, rules and remediation. */
export function controlsReference(list: readonly ControlDefinition[], catalogVersion: string): string {
  const out: string[] = [
    '# Control reference',
    '',
    `Generated from the catalog (version ${catalogVersion}) by \`npm run docs\`; do not edit by hand.`,
    '',
    'Statuses: `pass`, `fail` (a required rule failed on evidence that was read, even when other evidence is missing), `manual`',
    '(needs an attestation), `waived`, `not-applicable`, `error` (no required rule failed and one could not be evaluated:',
    'evidence not collected — never counted as a pass). Automation: `automated` (decided from the evidence), `partial` (the',
    'mechanism is checked automatically; its adequacy needs an attestation), `manual` (an attestation decides; automated',
    'signals can still fail it).',
    '',
    'Rules: a **required** rule is what the checklist item or the SOC 2 criterion needs: its failure fails the control. A',
    '**recommended** rule is hardening beyond it: its failure is a `warn` finding, shown and counted in every output, never a',
    'failure of the control or of the exit code (unless `scan --fail-on-warn`). *Reads* is the evidence a rule needs besides',
    `the object it judges ("${READS_OBJECT}": nothing else; "${READS_CONTROL}": every requirement above); when`,
    'any of it was not read, the rule is not evaluated and the run says which evidence was missing.',
    '',
  ];
  let section = '';
  for (const c of list) {
    if (c.section !== section) {
      section = c.section;
      out.push(`## ${c.section} — ${SECTIONS[c.section]}`, '');
    }
    out.push(`### ${c.id} — ${md(c.title)}`, '');
    out.push(`*${md(c.subheading)}* · TSC ${c.tsc.join(', ')} · ${c.automation} · default severity ${c.severity}` + (c.optionalScope ? ' · optional section (service mesh)' : ''), '');
    out.push(`Owners: ${c.owners.primary.join(', ')} (primary); ${c.owners.supporting.join(', ')} (supporting).`, '');
    out.push(md(c.description), '');
    if (c.requires.length) {
      out.push('Evidence required:', '');
      for (const r of c.requires) out.push(`- ${md(r.what)}: ${r.anyOf.map((k) => `\`${k}\``).join(r.alternatives ? ' or ' : ', ')}`);
      out.push('');
    }
    if (c.optional?.length) out.push(`Also read when available: ${c.optional.map((k) => `\`${k}\``).join(', ')}.`, '');
    if (c.attestation) out.push(`Attestation: ${md(c.attestation)}.`, '');
    const rules = ruleReference(c);
    if (rules.length) {
      out.push('| rule | checks | level | severity | reads |', '| --- | --- | --- | --- | --- |');
      for (const r of rules) {
        const level = `**${r.level}**`;
        out.push(`| \`${r.id}\` | ${md(r.title)} | ${level}${r.basis ? `: ${md(r.basis)}` : ''} | ${r.severity} | ${md(r.reads)} |`);
      }
      out.push('');
    }
    out.push(`**Fix:** ${md(c.remediation.summary)}`, '');
    if (c.remediation.commands?.length) out.push('```sh', ...c.remediation.commands, '```', '');
    if (c.remediation.manifest) out.push('```yaml', c.remediation.manifest, '```', '');
    if (c.references.length) out.push(`References: ${c.references.map((r) => `[${md(r.title)}](${r.url})`).join(' · ')}`, '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}`;
}

const START = '<!-- controls:start (generated by `npm run docs`) -->';
const END = '<!-- controls:end -->';

/** Replace the generated control table in the README text. */
export function withControlTable(readme: string, table: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a === -1 || b === -1 || b < a) throw new Error('README.md has no control table markers');
  return `${readme.slice(0, a + START.length)}\n${table}${readme.slice(b)}`;
}
