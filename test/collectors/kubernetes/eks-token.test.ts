import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { describe, expect, it } from 'vitest';
import { EKS_TOKEN_TTL_MS, EksTokenAuthenticator, generateEksToken, parseEksExec } from '../../../src/collectors/kubernetes/index.js';
import { commandAvailable } from '../../../src/collectors/kubernetes/eks-token.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const b64 = token.slice('k8s-aws-v1.'.length);
  expect(b64).not.toMatch(/[=+/]/); // base64url without padding
  return new URL(Buffer.from(b64, 'base64url').toString('utf8'));
}

describe('in-process EKS tokens', () => {
  it('is a presigned STS GetCallerIdentity URL that signs the x-k8s-aws-id header', async () => {
    const date = new Date('2026-11-26T12:00:00Z');
    const token = await generateEksToken({ clusterName: 'acme-prod', region: 'eu-west-1' }, CREDS, date);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20261126/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20261126T120000Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    // The signature is the one an independent SigV4 presign of the same request gives.
    const signer = new SignatureV4({ credentials: CREDS, region: 'eu-west-1', service: 'sts', sha256: Sha256 });
    const again = await signer.presign(new HttpRequest({
      method: 'GET', protocol: 'https:', hostname: 'sts.eu-west-1.amazonaws.com', path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: 'sts.eu-west-1.amazonaws.com', 'x-k8s-aws-id': 'acme-prod' },
    }), { expiresIn: 60, signingDate: date });
    expect(q.get('X-Amz-Signature')).toBe(again.query?.['X-Amz-Signature']);
    // A different cluster name gives a different signature (the header is signed).
    const other = decode(await generateEksToken({ clusterName: 'other', region: 'eu-west-1' }, CREDS, date));
    expect(other.searchParams.get('X-Amz-Signature')).not.toBe(q.get('X-Amz-Signature'));
  });

  it('carries the session token of temporary credentials, and uses the China partition host', async () => {
    const url = decode(await generateEksToken({ clusterName: 'c', region: 'cn-north-1' }, { ...CREDS, sessionToken: 'FwoGZXIvYXdzE+/=' }));
    expect(url.host).toBe('sts.cn-north-1.amazonaws.com.cn');
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('FwoGZXIvYXdzE+/=');
  });

  it('reuses a token for 14 minutes, then signs a new one', async () => {
    let now = Date.parse('2026-11-26T12:00:00Z');
    let calls = 0;
    const auth = new EksTokenAuthenticator(async () => { calls++; return CREDS; }, () => now);
    const p = { clusterName: 'acme-prod', region: 'eu-west-1' };
    const t1 = await auth.token(p);
    now += EKS_TOKEN_TTL_MS - 1000;
    expect(await auth.token(p)).toBe(t1);
    now += 2000;
    const t2 = await auth.token(p);
    expect(t2).not.toBe(t1);
    expect(calls).toBe(2);
    auth.invalidate();
    expect(await auth.token(p)).toBe(t2); // same second: same signature, but freshly signed
    expect(calls).toBe(3);
    const headers: { headers?: Record<string, unknown> } = {};
    await auth.applyAuthentication({ name: 'u', authProvider: { name: 'eks-soc2-eks-token', config: p } }, headers);
    expect(headers.headers?.Authorization).toBe(`Bearer ${t2}`);
  });

  it('recognises aws eks get-token and aws-iam-authenticator exec plugins', () => {
    expect(parseEksExec({
      command: 'aws', args: ['--region', 'eu-west-1', 'eks', 'get-token', '--cluster-name', 'acme-prod', '--output', 'json', '--role-arn', 'arn:aws:iam::111122223333:role/auditor'],
      env: [{ name: 'AWS_PROFILE', value: 'audit' }],
    })).toEqual({ command: 'aws', clusterName: 'acme-prod', region: 'eu-west-1', roleArn: 'arn:aws:iam::111122223333:role/auditor', profile: 'audit' });
    expect(parseEksExec({ command: '/usr/local/bin/aws', args: ['eks', 'get-token', '--cluster-name=x'], env: [{ name: 'AWS_REGION', value: 'us-east-1' }] }))
      .toEqual({ command: '/usr/local/bin/aws', clusterName: 'x', region: 'us-east-1' });
    expect(parseEksExec({ command: 'aws-iam-authenticator', args: ['token', '-i', 'legacy', '-r', 'arn:aws:iam::1:role/r'] }))
      .toEqual({ command: 'aws-iam-authenticator', clusterName: 'legacy', roleArn: 'arn:aws:iam::1:role/r' });
    expect(parseEksExec({ command: 'kubelogin', args: ['get-token'] })).toBeUndefined();
    expect(parseEksExec({ command: 'aws', args: ['sts', 'get-caller-identity'] })).toBeUndefined();
    expect(parseEksExec(undefined)).toBeUndefined();
  });

  it('finds commands on PATH', () => {
    expect(commandAvailable('sh', '/bin:/usr/bin')).toBe(true);
    expect(commandAvailable('definitely-not-a-command-eks-soc2', '/bin:/usr/bin')).toBe(false);
    expect(commandAvailable('aws', '')).toBe(false);
    expect(commandAvailable('/bin/sh')).toBe(true);
  });
});
