import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/catalog/index.js';
import { collectFiles } from '../../src/collectors/files/read.js';
import { evaluate } from '../helpers/evaluate-expanded.js';
import { defaultConfig } from '../../src/model/index.js';
import { materialiseTerraform, planFixes } from '../../src/fix/index.js';
import { EditError } from '../../src/fix/edit.js';
import { editHclBlock } from '../../src/fix/hcl-edit.js';

const FIXTURE = new URL('../fixtures/fix/terraform/', import.meta.url).pathname;
const NOW = new Date('2026-11-26T12:00:00Z');

async function scan(dir: string) {
  const snap = await collectFiles([dir], { toolVersion: 't', cwd: dir });
  return { snap, run: evaluate(snap, catalog, { config: defaultConfig(), toolVersion: 't', catalogVersion: 't', now: NOW }) };
}

describe('fix on Terraform: attribute changes as .tf diffs', () => {
  it('edits the resource blocks, keeps every other line, and a second scan passes the fixed rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eks-soc2-fix-tf-'));
    cpSync(FIXTURE, dir, { recursive: true });
    const before = readFileSync(join(dir, 'main.tf'), 'utf8');
    const first = await scan(dir);
    const plan = planFixes(first.run, first.snap, { level: 'review', config: defaultConfig() });
    expect(plan.tfChanges.map((c) => `${c.control}/${c.rule}`).sort()).toEqual(['CC4-MON-01/log-types-enabled', 'CC5-IAM-04/endpoint-private-access', 'CC9-ENC-01/key-rotation', 'CC9-ENC-03/cmk-rotation', 'P1-IAM-01/authentication-mode'].sort());
    const m = await materialiseTerraform(plan, (f) => readFileSync(join(dir, f), 'utf8'));
    expect(m.notes).toEqual([]);
    expect(m.files).toHaveLength(1);
    writeFileSync(join(dir, m.files[0]!.file), m.files[0]!.after);
    const after = readFileSync(join(dir, 'main.tf'), 'utf8');
    // Only the changed values' lines differ; the new nested block is added at the end of the cluster block.
    const removed = before.split('\n').filter((l) => !after.split('\n').includes(l));
    expect(removed).toEqual(['  enable_key_rotation = false # rotation off for now', '  enabled_cluster_log_types = ["api"]', '    endpoint_private_access = false']);
    expect(after).toContain('  enable_key_rotation = true # rotation off for now');
    expect(after).toContain('  access_config {\n    authentication_mode = "API_AND_CONFIG_MAP"\n  }\n}');
    expect(after).toContain('    echo "{ not a block }"');
    const second = await scan(dir);
    for (const c of plan.tfChanges) {
      const fs = second.run.controls.find((x) => x.id === c.control)!.findings.filter((f) => f.rule === c.rule && f.resource.name === c.resource.name);
      expect(fs.length, c.rule).toBeGreaterThan(0);
      expect(fs.map((f) => f.status), `${c.control} ${c.rule}`).toEqual(fs.map(() => 'pass'));
    }
  }, 60_000);

  it('sets, adds and nests attributes without touching strings, heredocs or comments', () => {
    const t = 'resource "aws_launch_template" "lt" {\n  name = "x{y}" # not a brace\n  user_data = <<EOF\n}\nEOF\n}\n';
    expect(editHclBlock(t, 1, 'resource', ['aws_launch_template', 'lt'], [{ attribute: 'metadata_options.http_tokens', value: 'required' }]))
      .toBe('resource "aws_launch_template" "lt" {\n  name = "x{y}" # not a brace\n  user_data = <<EOF\n}\nEOF\n  metadata_options {\n    http_tokens = "required"\n  }\n}\n');
    expect(() => editHclBlock('resource "a" "b" { x = 1 }\n', 1, 'resource', ['a', 'b'], [{ attribute: 'y', value: 1 }])).toThrow(EditError);
    expect(() => editHclBlock(t, 2, 'resource', ['aws_launch_template', 'lt'], [{ attribute: 'y', value: 1 }])).toThrow(/does not start/);
    expect(editHclBlock('resource "a" "b" {\n  s = "v"\n}\n', 1, 'resource', ['a', 'b'], [{ attribute: 's', value: 'a ${b}' }])).toBe('resource "a" "b" {\n  s = "a $${b}"\n}\n');
  });
});
