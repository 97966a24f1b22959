import type { Command } from 'commander';
import type { RunResult, Snapshot } from '../../model/index.js';

/** Flags of the evidence store (owned by the evidence-store work, issue 5). */
export interface StoreOptions {
  store?: string | boolean;
  run?: string;
}

export function addStoreOptions(cmd: Command): Command {
  return cmd;
}

/** The snapshot of a stored run (`scan --run ID`), or undefined when not asked for. */
export async function loadStoredSnapshot(_opts: StoreOptions): Promise<Snapshot | undefined> {
  return undefined;
}

/** Append the run (and its snapshot) to the store when asked for; returns the run id. */
export async function persistRun(_opts: StoreOptions, _snapshot: Snapshot, _run: RunResult): Promise<string | undefined> {
  return undefined;
}
