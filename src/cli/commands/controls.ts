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
