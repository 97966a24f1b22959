export * from './common.js';
export * from './snapshot.js';
export * from './control.js';
export * from './result.js';
export * from './policy.js';
export * from './config.js';
export * from './period.js';
export * from './diff.js';
