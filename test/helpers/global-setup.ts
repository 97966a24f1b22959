import { spawnSync } from 'node:child_process';

/**
 * Tests that run the real CLI spawn `bin/eks-soc2.mjs`, which loads `dist/`. `npm test` builds
 * before running the suite (and sets EKS_SOC2_SKIP_BUILD); a bare `npx vitest` builds here.
 */
export default function setup(): void {
  if (process.env.EKS_SOC2_SKIP_BUILD) return;
  // tsc emits dist/ even when it reports type errors; `npm test` runs the strict build first, so
  // here a type error elsewhere only warns instead of blocking a focused `npx vitest run`.
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) process.stderr.write('warning: the build reported type errors (run `npx tsc -p tsconfig.build.json` to see them); CLI tests use what was emitted\n');
}
