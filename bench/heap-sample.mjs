// Run a Node.js script in this process and report its peak heap and RSS on exit (stderr, one line
// `@@bench {"maxHeapUsed":N,"maxRssKb":N,"heapLimit":N}`), sampling the heap every 10 ms.
//   node bench/heap-sample.mjs SCRIPT [ARGS...]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
let maxHeapUsed = 0;
const sample = () => { maxHeapUsed = Math.max(maxHeapUsed, getHeapStatistics().used_heap_size); };
setInterval(sample, 10).unref();
process.on('exit', () => {
  sample();
  process.stderr.write(`\n@@bench ${JSON.stringify({ maxHeapUsed, maxRssKb: process.resourceUsage().maxRSS, heapLimit: getHeapStatistics().heap_size_limit })}\n`);
});
await import(pathToFileURL(resolve(script)).href);
