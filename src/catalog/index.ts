import type { ControlDefinition } from '../model/index.js';
import { controls as cc5 } from './cc5.js';

/** Bumped whenever a control's logic or metadata changes; stored with every run. */
export const CATALOG_VERSION = '2026.11.0';

/** The whole catalog, in checklist order. */
export const catalog: readonly ControlDefinition[] = [...cc5];

export function findControl(id: string): ControlDefinition | undefined {
  return catalog.find((c) => c.id === id.toUpperCase());
}
