/**
 * The bounds every input is read within (docs/limits.md), so that no input — a one-line YAML of a
 * gigabyte, an endless stdin, a stream of tiny objects — can exhaust the process (issue 18 items 8,
 * 9). A Kubernetes object is at most ~1.5 MiB in etcd; the limits leave a wide margin above that.
 */
import { getHeapStatistics } from 'node:v8';

const MiB = 2 ** 20;

/** Longest line of a YAML input read as a stream (a one-line document of gigabytes is refused, not read). */
export const MAX_LINE_BYTES = 8 * MiB;
/** Largest single document (or List item, or bundle object). */
export const MAX_DOCUMENT_BYTES = 32 * MiB;
/** Largest part of a JSON document outside its streamed list (a bundle's envelope: AWS facts, tool reports). */
export const MAX_ENVELOPE_BYTES = 256 * MiB;

/**
 * Heap counted per object, from reading to the last report: the object, its findings, the indexes
 * and the renderers' share. `node bench/memory.mjs` measures about 4.4 kB per object of a realistic
 * cluster and 3.1 kB per tiny pod (docs/limits.md); the budget assumes 8 KiB, the rest being room
 * for the garbage collector to work in.
 */
export const HEAP_BYTES_PER_OBJECT = 8 * 1024;
/** Heap kept for everything that does not grow with the input (code, catalog, buffers). */
export const HEAP_RESERVE_BYTES = 256 * MiB;
/** Environment variable that sets the object budget explicitly. */
export const MAX_OBJECTS_ENV = 'EKS_SOC2_MAX_OBJECTS';

/** The largest number of Kubernetes objects one run reads: from the heap limit, or EKS_SOC2_MAX_OBJECTS. */
export function objectBudget(env: NodeJS.ProcessEnv = process.env): number {
  const explicit = Number(env[MAX_OBJECTS_ENV]);
  if (Number.isFinite(explicit) && explicit > 0) return Math.floor(explicit);
  const heap = getHeapStatistics().heap_size_limit;
  return Math.max(10_000, Math.floor((heap - HEAP_RESERVE_BYTES) / HEAP_BYTES_PER_OBJECT));
}

/** More objects than the heap can hold while they are evaluated: the run stops before V8 runs out of memory. */
export class ObjectBudgetExceeded extends Error {
  readonly fix: string;
  constructor(readonly budget: number, readonly source: string) {
    const heapMiB = Math.round(getHeapStatistics().heap_size_limit / MiB);
    super(`${source}: more than ${budget.toLocaleString('en-US')} Kubernetes objects, the most this run can evaluate in its ${heapMiB.toLocaleString('en-US')} MiB heap; stopped reading before memory ran out`);
    this.name = 'ObjectBudgetExceeded';
    this.fix = `give the process a larger heap (EKS_SOC2_HEAP_MB, or run on a machine with more memory: the heap is sized from it), set ${MAX_OBJECTS_ENV} if you know the machine can hold more, or scan fewer objects at a time (--section, --control, or split the input)`;
  }
}

let budget: number | undefined;

/** Throw ObjectBudgetExceeded when `count` objects exceed the budget (computed once per process). */
export function checkObjectBudget(count: number, source: string): void {
  budget ??= objectBudget();
  if (count > budget) throw new ObjectBudgetExceeded(budget, source);
}

/** Tests: forget the computed budget (after changing EKS_SOC2_MAX_OBJECTS). */
export function resetObjectBudget(): void {
  budget = undefined;
}
