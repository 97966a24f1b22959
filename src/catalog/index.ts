import type { ControlDefinition } from '../model/index.js';
import { controls as cc3 } from './cc3.js';
import { controls as cc4 } from './cc4.js';
import { controls as cc5 } from './cc5.js';
import { controls as cc6 } from './cc6.js';
import { controls as cc7 } from './cc7.js';
import { controls as cc8 } from './cc8.js';
import { controls as cc9 } from './cc9.js';
import { controls as part1 } from './part1.js';

/** Bumped whenever a control's logic or metadata changes; stored with every run. */
export const CATALOG_VERSION = '2026.11.0';

/** The whole catalog, in checklist order (one file per checklist section). */
export const catalog: readonly ControlDefinition[] = [...cc3, ...cc4, ...cc5, ...cc6, ...cc7, ...cc8, ...cc9, ...part1];

export function findControl(id: string): ControlDefinition | undefined {
  return catalog.find((c) => c.id === id.toUpperCase());
}

/** Every evidence key (required and optional) the given controls read: what collectors must fetch. */
export function evidenceKeys(controls: readonly ControlDefinition[]): Set<string> {
  const keys = new Set<string>();
  for (const c of controls) {
    for (const r of c.requires) for (const k of r.anyOf) keys.add(k);
    for (const k of c.optional ?? []) keys.add(k);
  }
  return keys;
}
