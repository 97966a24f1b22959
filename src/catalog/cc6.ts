/**
 * CC6 — Logical and Physical Access Controls: "Network Security Configuration" and "Service Mesh Implementation (optional)".
 */
import type { ControlDefinition } from '../model/index.js';

export const controls: ControlDefinition[] = [];
