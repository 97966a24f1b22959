export { planFixes, isFixable, objectKey } from './plan.js';
export type { PlanOptions } from './plan.js';
export { materialise, kustomization, kubectlPatch, strategicPatch, cleanObject } from './apply.js';
export type { Materialised, FileEdit, NewFile, ObjectPatch } from './apply.js';
export { renderText, planJson, commandsScript, allDiffs } from './render.js';
export { fillRemediation } from './remediation.js';
export { FIXERS, DECISIONS } from './registry.js';
export type { FixPlan, ObjectChange, NewObject, CommandStep, Decision, Risk, TfChange } from './types.js';
export { materialiseTerraform, TERRAFORM_ATTRIBUTES } from './terraform.js';
