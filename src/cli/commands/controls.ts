import type { Command } from 'commander';
import type { ControlDefinition } from '../../model/index.js';
import { SECTIONS } from '../../model/index.js';
import { UserError } from '../errors.js';

export function registerControls(program: Command): void {
  program
    .command('controls')
    .description('list the control catalog')
    .option('--format <format>', 'table, json or markdown', 'table')
    .option('--section <id>', 'only this checklist section')
    .action(async (opts: { format: string; section?: string }) => {
      const { catalog, CATALOG_VERSION } = await import('../../catalog/index.js');
      const list = opts.section ? catalog.filter((c) => c.section === opts.section!.toUpperCase()) : [...catalog];
      switch (opts.format) {
        case 'json':
          process.stdout.write(`${JSON.stringify({ catalogVersion: CATALOG_VERSION, controls: list.map(controlJson) }, null, 2)}\n`);
          break;
        case 'markdown':
          process.stdout.write(controlsMarkdown(list));
          break;
        case 'table':
          for (const c of list) process.stdout.write(`${c.id.padEnd(12)} ${c.automation.padEnd(9)} ${c.severity.padEnd(8)} ${c.tsc.join(',').padEnd(24)} ${c.title}\n`);
          process.stdout.write(`\n${list.length} controls (catalog ${CATALOG_VERSION})\n`);
          break;
        default:
          throw new UserError(`--format must be table, json or markdown (got "${opts.format}")`);
      }
    });
}

export function controlJson(c: ControlDefinition) {
  return {
    id: c.id, title: c.title, section: c.section, sectionTitle: SECTIONS[c.section], subheading: c.subheading,
    tsc: c.tsc, owners: c.owners, automation: c.automation, severity: c.severity, description: c.description,
    evidence: c.requires.map((r) => ({ what: r.what, anyOf: r.anyOf })), optionalEvidence: c.optional ?? [],
    rules: c.rules ?? {}, attestation: c.attestation ?? null, remediation: c.remediation, references: c.references,
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
    'Statuses: `pass`, `fail`, `manual` (needs an attestation), `waived`, `not-applicable`, `error` (evidence could not be',
    'collected — never counted as a pass). Automation: `automated` (decided from the evidence), `partial` (the mechanism is',
    'checked automatically; its adequacy needs an attestation), `manual` (an attestation decides; automated signals can still fail it).',
    '',
  ];
  let section = '';
  for (const c of list) {
    if (c.section !== section) {
      section = c.section;
      out.push(`## ${c.section} — ${SECTIONS[c.section]}`, '');
    }
    out.push(`### ${c.id} — ${md(c.title)}`, '');
    out.push(`*${md(c.subheading)}* · TSC ${c.tsc.join(', ')} · ${c.automation} · severity ${c.severity}` + (c.optionalScope ? ' · optional section (service mesh)' : ''), '');
    out.push(`Owners: ${c.owners.primary.join(', ')} (primary); ${c.owners.supporting.join(', ')} (supporting).`, '');
    out.push(md(c.description), '');
    if (c.requires.length) {
      out.push('Evidence required:', '');
      for (const r of c.requires) out.push(`- ${md(r.what)}: ${r.anyOf.map((k) => `\`${k}\``).join(r.alternatives ? ' or ' : ', ')}`);
      out.push('');
    }
    if (c.optional?.length) out.push(`Also read when available: ${c.optional.map((k) => `\`${k}\``).join(', ')}.`, '');
    if (c.attestation) out.push(`Attestation: ${md(c.attestation)}.`, '');
    const rules = Object.entries(c.rules ?? {});
    if (rules.length) {
      out.push('| rule | checks | severity |', '| --- | --- | --- |');
      for (const [id, r] of rules) out.push(`| \`${id}\` | ${md(r.title)} | ${r.severity} |`);
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
