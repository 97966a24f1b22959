/**
 * CC3 — Risk Assessment: "EKS-Specific Risk Assessment" and "Container Image Security".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
