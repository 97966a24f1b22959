/**
 * Every JUnit report, run and period, validated by libxml2 (`xmllint-wasm`) against the Jenkins
 * JUnit schema vendored in test/fixtures/junit (see its README for source and sha256).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { renderJunit, renderPeriodJunit } from '../../src/report/junit.js';
import { runCli } from '../helpers/cli.js';
import { capture, hostileRun, samplePeriod, sampleRun } from './fixtures.js';

const XSD_PATH = fileURLToPath(new URL('../fixtures/junit/junit-10.xsd', import.meta.url));
const XSD = readFileSync(XSD_PATH, 'utf8');

async function xsdErrors(xml: string): Promise<string[]> {
  const r = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: XSD }], maxMemoryPages: 4096 });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage).slice(0, 10);
}

describe('JUnit against the Jenkins JUnit XSD (libxml2)', () => {
  it('the vendored schema is the one its README names', () => {
    const readme = readFileSync(fileURLToPath(new URL('../fixtures/junit/README.md', import.meta.url)), 'utf8');
    const sha = createHash('sha256').update(readFileSync(XSD_PATH)).digest('hex');
    expect(readme).toContain(sha);
  });

  it('the validator rejects what the schema forbids', async () => {
    expect(await xsdErrors('<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>')).not.toEqual([]);
    expect(await xsdErrors('<testsuites time="1.2.3"/>')).not.toEqual([]);
    expect(await xsdErrors('<testsuites><testsuite name="a" tests="1" failures="0" errors="0" colour="red"/></testsuites>')).not.toEqual([]);
    expect(await xsdErrors('<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="t"/></testsuite></testsuites>')).toEqual([]);
  });

  it('run JUnit (sample, hostile, per finding) validates', async () => {
    for (const run of [sampleRun(), hostileRun()]) {
      for (const perFinding of [false, true]) {
        const xml = await capture((w) => renderJunit(run, w, { perFinding }));
        expect(await xsdErrors(xml)).toEqual([]);
      }
    }
  });

  it('period JUnit (sample, hostile, with an evidence check that failed) validates', async () => {
    const broken = samplePeriod(true);
    broken.verification = {
      ok: false, store: 'test <store>', checkedAt: '2026-03-01T00:00:00.000Z', runsChecked: 2, problemCount: 1,
      clusters: [{ key: broken.clusters[0]!.key, ok: false, runs: 2 }], problems: [{ kind: 'edited', message: 'run <x> & "y" was edited' }],
    };
    for (const p of [samplePeriod(), samplePeriod(true), broken]) {
      const xml = await capture((w) => renderPeriodJunit(p, w));
      expect(await xsdErrors(xml)).toEqual([]);
    }
  });

  it('the demo\'s JUnit and a stored period\'s JUnit, through the CLI, validate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-junit-xsd-'));
    try {
      const run = await runCli(['scan', '--demo', '--format', 'junit', '--junit-per-finding', '--store', `sqlite:${join(dir, 'x.db')}`, '--now', '2026-03-01T02:00:00Z']);
      expect(run.stdout).toContain('<testsuites');
      expect(await xsdErrors(run.stdout)).toEqual([]);
      const period = await runCli(['report', '--store', `sqlite:${join(dir, 'x.db')}`, '--from', '2026-03-01', '--to', '2026-03-01', '--now', '2026-03-02T00:00:00Z', '--format', 'junit']);
      expect(period.code, period.stderr).toBe(0);
      expect(await xsdErrors(period.stdout)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
