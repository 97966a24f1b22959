/**
 * CC4 — Monitoring Activities: "Comprehensive Monitoring Implementation" and "Security Event Correlation".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
