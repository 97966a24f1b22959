import type { RunResult } from '../model/index.js';

/**
 * The JSON report: the RunResult itself (schema `eks-soc2/run@2`, see schemas/report.schema.json and
 * docs/reports.md; a stored run@1 is read back in the run@2 shape and keeps its `schema`).
 * Written control by control so that a large run is never held as one string.
 */
export function renderJson(run: RunResult, write: (chunk: string) => void): void {
  const { controls, ...head } = run;
  const headJson = JSON.stringify(head, null, 2);
  write(headJson.slice(0, -2));
  write(',\n  "controls": [');
  controls.forEach((c, i) => {
    write(`${i ? ',' : ''}\n    `);
    if (c.findings.length <= FINDINGS_BATCH) {
      write(JSON.stringify(c));
      return;
    }
    // A control with many findings (one per workload and rule at 150,000 pods) is written in batches:
    // the same bytes as JSON.stringify(c), never one string of hundreds of MB.
    const text = JSON.stringify({ ...c, findings: [SENTINEL] });
    const mark = `"findings":[${JSON.stringify(SENTINEL)}]`;
    const at = text.indexOf(mark);
    write(text.slice(0, at + '"findings":['.length));
    for (let k = 0; k < c.findings.length; k += FINDINGS_BATCH) {
      const part = JSON.stringify(c.findings.slice(k, k + FINDINGS_BATCH));
      write(`${k ? ',' : ''}${part.slice(1, -1)}`);
    }
    write(text.slice(at + mark.length - 1));
  });
  write('\n  ]\n}\n');
}

/** ~60 kB per batch: below V8's large-object size, so batches are cheap young garbage. */
const FINDINGS_BATCH = 200;
const SENTINEL = '@@eks-soc2:findings@@';
