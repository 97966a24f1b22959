import type { RunResult } from '../model/index.js';
import { eachFinding, findingTotal, toWire } from '../model/index.js';

export interface JsonOptions {
  /**
   * Write every finding as one object, passes included, in the superseded `run@2` shape (no resource
   * table), for consumers that want it. The default is the compact `run@5` wire form.
   */
  expandPassing?: boolean;
}

/**
 * The JSON report: the RunResult in its wire form (schema `eks-soc2/run@5`, see
 * schemas/report.schema.json and docs/reports.md): passing findings as resource indices per rule and
 * message, the other findings as groups of identical findings by resource index, index lists with
 * runs (`toWire`). A stored run@1 … run@4 result is written in its own shape and keeps its `schema`.
 * With `expandPassing` a run@3 … run@5 result is written in the run@2 shape, every finding as one object. Written control by
 * control, and large lists in batches, so that a large run is never held as one string.
 */
export function renderJson(run: RunResult, write: (chunk: string) => void, opts: JsonOptions = {}): void {
  const expand = opts.expandPassing === true && run.schema !== 'eks-soc2/run@1' && run.schema !== 'eks-soc2/run@2';
  const { controls, resources, ...head } = expand ? run : toWire(run);
  const headJson = JSON.stringify(expand ? { ...head, schema: 'eks-soc2/run@2' } : head, null, 2);
  write(headJson.slice(0, -2));
  if (resources && !expand) {
    write(',\n  "resources": [');
    for (let k = 0; k < resources.length; k += RESOURCES_BATCH) {
      const part = JSON.stringify(resources.slice(k, k + RESOURCES_BATCH));
      write(`${k ? ',' : ''}\n    ${part.slice(1, -1)}`);
    }
    write('\n  ]');
  }
  write(',\n  "controls": [');
  controls.forEach((c, i) => {
    write(`${i ? ',' : ''}\n    `);
    if (expand) {
      const { passed: _passed, ...rest } = run.controls[i]!;
      writeControl(rest, eachFinding(run, run.controls[i]!), findingTotal(run.controls[i]!), write);
    } else {
      const findings: readonly unknown[] = c.findings;
      writeControl({ ...c, findings }, findings, findings.length, write);
    }
  });
  write('\n  ]\n}\n');
}

/** A control with its findings (or finding groups) taken from `findings` (`count` of them): the same bytes as JSON.stringify. */
function writeControl<T>(c: { findings: readonly T[] }, findings: Iterable<T>, count: number, write: (chunk: string) => void): void {
  if (count <= FINDINGS_BATCH && Array.isArray(findings)) {
    write(JSON.stringify(findings === c.findings ? c : { ...c, findings }));
    return;
  }
  // A control with many findings (one per workload and rule at 150,000 pods) is written in batches:
  // the same bytes as JSON.stringify(c), never one string of hundreds of MB.
  const text = JSON.stringify({ ...c, findings: [SENTINEL] });
  const mark = `"findings":[${JSON.stringify(SENTINEL)}]`;
  const at = text.indexOf(mark);
  write(text.slice(0, at + '"findings":['.length));
  let batch: T[] = [];
  let first = true;
  const flush = () => {
    if (batch.length === 0) return;
    const part = JSON.stringify(batch);
    write(`${first ? '' : ','}${part.slice(1, -1)}`);
    first = false;
    batch = [];
  };
  for (const f of findings) {
    batch.push(f);
    if (batch.length >= FINDINGS_BATCH) flush();
  }
  flush();
  write(text.slice(at + mark.length - 1));
}

/** ~60 kB per batch: below V8's large-object size, so batches are cheap young garbage. */
const FINDINGS_BATCH = 200;
const RESOURCES_BATCH = 500;
const SENTINEL = '@@eks-soc2:findings@@';
