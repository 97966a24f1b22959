/**
 * CC7 — System Operations: "Change Management" and "Configuration Management".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
