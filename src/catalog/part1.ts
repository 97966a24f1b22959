/**
 * P1 — Part 1 (foundational) items of controls.md §7 that the checklist itself does not list.
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
