/**
 * CC9 — Risk Mitigation: "Data Encryption and Protection".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
