#!/usr/bin/env node
// The CLI entry point (bin/eks-soc2.mjs imports it). Everything else lives in program.ts.
import { main } from './program.js';

process.exitCode = await main(process.argv);
