import type { Command } from 'commander';
import type { Snapshot } from '../../model/index.js';
import { EXIT, UserError } from '../errors.js';

/** Flags of live Kubernetes collection (owned by the live-collection work, issue 4). */
export interface KubernetesOptions {
  kubeconfig?: string;
  context?: string;
}

export function addKubernetesOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current context)');
}

/** Collect a snapshot of the Kubernetes evidence `keys` from a live cluster. */
export async function collectKubernetes(_opts: KubernetesOptions, _keys: ReadonlySet<string>, _toolVersion: string): Promise<Snapshot> {
  throw new UserError('live cluster collection is not available in this build: pass -f PATH or --demo', EXIT.USAGE);
}
