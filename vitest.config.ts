import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // No test may reach the network: the AWS credential chain must never probe the instance
    // metadata address, and every server and client binds 127.0.0.1.
    env: { AWS_EC2_METADATA_DISABLED: 'true', NO_COLOR: '1', AWS_REGION: 'eu-west-1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
