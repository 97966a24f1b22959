import type { ControlDefinition, SectionId } from '../model/index.js';
import { SUBHEADINGS } from './sections.js';
import type { SubheadingKey } from './sections.js';

/**
 * Declare a control: metadata and check side by side (ESLint-rule style). `under` names the
 * checklist sub-heading; its title and responsible parties are filled in from `SUBHEADINGS`.
 */
export function defineControl(
  def: Omit<ControlDefinition, 'subheading' | 'owners' | 'section'> & { section: SectionId; under: SubheadingKey; owners?: ControlDefinition['owners'] },
): ControlDefinition {
  const { under, owners, ...rest } = def;
  const sub = SUBHEADINGS[under];
  return {
    ...rest,
    subheading: sub.name,
    owners: owners ?? { primary: [...sub.owners.primary], supporting: [...sub.owners.supporting] },
  };
}
