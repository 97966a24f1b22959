import type { RunResult } from '../model/index.js';

/**
 * The JSON report: the RunResult itself (schema `eks-soc2/run@1`, see schemas/report.schema.json).
 * Written control by control so that a large run is never held as one string.
 */
export function renderJson(run: RunResult, write: (chunk: string) => void): void {
  const { controls, ...head } = run;
  const headJson = JSON.stringify(head, null, 2);
  write(headJson.slice(0, -2));
  write(',\n  "controls": [');
  controls.forEach((c, i) => {
    write(`${i ? ',' : ''}\n    `);
    write(JSON.stringify(c));
  });
  write('\n  ]\n}\n');
}
