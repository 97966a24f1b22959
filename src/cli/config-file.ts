/**
 * Which configuration file a command reads (README "Configuration"): `--config FILE` (or
 * EKS_SOC2_CONFIG), else the first `eks-soc2.yaml` or `.eks-soc2.yaml` found in the working
 * directory and then each parent, stopping after the filesystem root or after the first directory
 * that holds `.git` (the top of the repository: a file above it belongs to something else).
 * `--no-config` (EKS_SOC2_CONFIG=false) reads none. In one directory `eks-soc2.yaml` wins.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const CONFIG_NAMES = ['eks-soc2.yaml', '.eks-soc2.yaml'] as const;

/** The configuration file found from `start` upwards, if any. */
export function discoverConfig(start: string = process.cwd()): string | undefined {
  let dir = resolve(start);
  for (;;) {
    for (const name of CONFIG_NAMES) {
      const p = join(dir, name);
      try {
        if (statSync(p).isFile()) return p;
      } catch { /* not there */ }
    }
    if (existsSync(join(dir, '.git'))) return undefined;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The configuration file of a command: the one named, none (`--no-config`), or the one discovered
 * — which is announced on stderr (unless quiet), since a file nobody named changes the results.
 */
export function configPath(opts: { config?: string | boolean; quiet?: boolean }, o: { cwd?: string; stderr?: (s: string) => void } = {}): string | undefined {
  if (typeof opts.config === 'string') return opts.config;
  if (opts.config === false) return undefined;
  const found = discoverConfig(o.cwd);
  if (found && !opts.quiet) (o.stderr ?? ((s: string) => { process.stderr.write(s); }))(`using configuration ${found} (found from the working directory; --config FILE names another, --no-config reads none)\n`);
  return found;
}
