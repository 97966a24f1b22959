import { spawnSync } from 'node:child_process';

/**
 * Tests that run the real CLI spawn `bin/eks-soc2.mjs`, which loads `dist/`. `npm test` builds
 * before running the suite (and sets EKS_SOC2_SKIP_BUILD); a bare `npx vitest` builds here.
 */
export default function setup(): void {
  if (process.env.EKS_SOC2_SKIP_BUILD) return;
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed: fix the TypeScript errors above');
}
