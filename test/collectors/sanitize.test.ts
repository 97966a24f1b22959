import { describe, expect, it } from 'vitest';
import { REDACTED, redactObjectValues, redactString } from '../../src/collectors/sanitize.js';

describe('redaction by value, remembered per string', () => {
  const cm = (value: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'auth-sync' } }, spec: { containers: [{ name: 'c', args: [value], env: [{ name: 'URL', value }] }] } });

  it('redacts the same credential in every object that repeats it, and keeps what is not one', () => {
    const url = 'postgres://app:s3cretpassw0rd@db.internal:5432/app';
    const objs = [cm(url), cm(url), cm(url)];
    for (const o of objs) redactObjectValues(o);
    for (const o of objs) {
      expect(o.spec.containers[0]!.args[0]).toBe(`postgres://app:${REDACTED}@db.internal:5432/app`);
      expect(o.spec.containers[0]!.env[0]!.value).toBe(`postgres://app:${REDACTED}@db.internal:5432/app`);
      expect(o.metadata.labels.app).toBe('auth-sync');
    }
    // The same answer as the function itself, first time and remembered.
    expect(redactString(url)).toBe(objs[0]!.spec.containers[0]!.args[0]);
  });

  it('redacts long strings too (they are not remembered)', () => {
    const long = `${'x'.repeat(300)} --password=hunter2hunter2`;
    const o = cm(long);
    redactObjectValues(o);
    expect(o.spec.containers[0]!.args[0]).toBe(`${'x'.repeat(300)} --password=${REDACTED}`);
    expect(o.spec.containers[0]!.args[0]).toBe(redactString(long));
  });

  it('keeps working past the bound of remembered strings', () => {
    const objs = Array.from({ length: 17_000 }, (_, i) => cm(`https://hooks.slack.com/services/T000/B${i}/XXXXXXXXXXXXXXXX`));
    for (const o of objs) redactObjectValues(o);
    expect(objs[0]!.spec.containers[0]!.args[0]).toBe(`https://hooks.slack.com/services/${REDACTED}`);
    expect(objs[16_999]!.spec.containers[0]!.args[0]).toBe(`https://hooks.slack.com/services/${REDACTED}`);
    const again = cm('https://hooks.slack.com/services/T000/B0/XXXXXXXXXXXXXXXX');
    redactObjectValues(again);
    expect(again.spec.containers[0]!.args[0]).toBe(`https://hooks.slack.com/services/${REDACTED}`);
  });
});
