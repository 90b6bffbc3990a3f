// npm run bench: every benchmark, absolute figures and ratios against baselines measured in the same run.
// The last line is a JSON summary for tooling.
import os from 'node:os';
import { benchExportMemory } from './export-memory.mjs';

console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
const results = [await benchExportMemory()];
console.log(JSON.stringify({ bench: results, node: process.version, cores: os.cpus().length }));
