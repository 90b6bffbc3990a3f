// Prints the top frames of V8 CPU profiles (node --cpu-prof) by self time, as shares of the samples taken while
// the process was busy (idle and GC shown separately). Usage: node bench/profile-top.mjs <file.cpuprofile|dir> [n]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const [target, n = '25'] = process.argv.slice(2);
if (!target) {
  console.error('usage: node bench/profile-top.mjs <file.cpuprofile|dir> [n]');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(target, f))
  : [target];

for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const hits = new Map();
  for (const id of p.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
  const self = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, count] of hits) {
    const { callFrame: f } = byId.get(id);
    if (f.functionName === '(idle)') {
      idle += count;
      continue;
    }
    total += count;
    const where = f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ''))}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + count);
  }
  console.log(`${file}: ${total} busy samples, idle ${((100 * idle) / (idle + total)).toFixed(1)} % of all`);
  for (const [key, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(n))) {
    console.log(`  ${((100 * count) / total).toFixed(1).padStart(5)} %  ${key}`);
  }
}
