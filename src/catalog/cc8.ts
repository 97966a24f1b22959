/**
 * CC8 — Change Management: "Automated Deployment Pipeline" and "Version Management".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
