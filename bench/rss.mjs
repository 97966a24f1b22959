// Run a Node.js script in this process and report its peak RSS on exit (stderr, one line
// `@@bench {"maxRssKb":N}`), so the benchmark needs no /usr/bin/time.
//   node bench/rss.mjs SCRIPT [ARGS...]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => {
  process.stderr.write(`\n@@bench ${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
});
await import(pathToFileURL(resolve(script)).href);
