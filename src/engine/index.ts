export { evaluate, selectControls, summarize, score } from './evaluate.js';
export { controlSkipped, hasFilters, namespaceKept, ruleSkipped } from './filters.js';
export type { EvaluateOptions } from './evaluate.js';
export { SnapshotIndex, scopedEvidence, UndeclaredEvidenceError, parseMinor } from './evidence.js';
export { globMatch } from './glob.js';
