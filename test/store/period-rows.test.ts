// periodRows: the JSON columns of a year's control rows are parsed once per distinct text.
import { describe, expect, it } from 'vitest';
import { periodRowOf, periodRows } from '../../src/store/queries.js';

const waivers = JSON.stringify([{ id: 'w-1', reason: 'legacy', approvedBy: 'ciso', expires: '2026-12-31', findings: 2 }]);
const attestation = JSON.stringify({ control: 'CC1-GOV-01', attestedBy: 'ciso', date: '2025-01-01', validUntil: '2026-01-01', statement: 'reviewed' });
const row = (runId: string, extra: Record<string, unknown> = {}) => ({
  run_id: runId, control_id: 'CC1-GOV-01', ordinal: 0, status: 'pass', fail_severity: null, n_pass: 1, n_fail: 0, n_manual: 0, n_waived: 2, n_na: 0,
  n_error: 0, meta_digest: 'sha256:m', waivers, attestation, n_warn: 0, warn_rules: null, missing: '["aws:guardduty"]', ...extra,
});

describe('periodRows', () => {
  it('reads each row as periodRowOf does, sharing what has the same text', () => {
    const raw = [row('r1'), row('r2'), row('r3', { waivers: null, missing: '["aws:iam"]', warn_rules: '{"rule-a":3}' })];
    const rows = periodRows(raw);
    expect(rows).toEqual(raw.map((r) => periodRowOf(r)));
    expect(rows[0]!.waivers).toEqual(JSON.parse(waivers));
    expect(rows[1]!.waivers).toBe(rows[0]!.waivers);
    expect(rows[2]!.attestation).toBe(rows[0]!.attestation);
    expect(rows[2]!.waivers).toBeUndefined();
    expect(rows[2]!.missing).toEqual(['aws:iam']);
    expect(rows[1]!.missing).toBe(rows[0]!.missing);
    expect(rows[2]!.warnRules).toEqual({ 'rule-a': 3 });
  });

  it('a column that is not JSON fails the read, as before', () => {
    expect(() => periodRows([row('r1', { attestation: '{not json' })])).toThrow(SyntaxError);
  });
});
