#!/usr/bin/env node
// `npm test`: build, typecheck, lint, then the whole test suite. Each step must pass.
import { spawnSync } from 'node:child_process';

const steps = [
  ['build', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']],
  ['typecheck', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '.']],
  ['tests', ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]],
];
for (const [name, args] of steps) {
  const t = Date.now();
  process.stdout.write(`\n== ${name} ==\n`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', EKS_SOC2_SKIP_BUILD: '1' } });
  if (r.status !== 0) {
    process.stdout.write(`\n== ${name} FAILED (exit ${r.status ?? r.signal}) ==\n`);
    process.exit(r.status ?? 1);
  }
  process.stdout.write(`== ${name} ok (${((Date.now() - t) / 1000).toFixed(1)} s) ==\n`);
}
