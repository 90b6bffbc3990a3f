// npm run bench: every benchmark, absolute figures and ratios against baselines measured in the same run.
// BENCH=ingest, BENCH=budget, BENCH=export, BENCH=audit or BENCH=portal runs one (BENCH=portal: the vault browser's
// timing and the pages' weight; BENCH=portal-weight: the weight alone). The last line is a JSON summary for tooling.
import os from 'node:os';
import { benchAuditReads } from './audit-reads.mjs';
import { benchExportMemory } from './export-memory.mjs';
import { benchHotPathBudget } from './hot-path-budget.mjs';
import { benchIngest } from './ingest.mjs';
import { benchPortal } from './portal.mjs';
import { benchPortalWeight } from './portal-weight.mjs';

const only = process.env.BENCH;
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`);
const results = [];
if (!only || only === 'ingest') results.push(await benchIngest());
if (!only || only === 'budget') results.push(await benchHotPathBudget());
if (!only || only === 'export') results.push(await benchExportMemory());
if (!only || only === 'audit') results.push(await benchAuditReads());
if (!only || only === 'portal') results.push(await benchPortal());
if (!only || only === 'portal' || only === 'portal-weight') results.push(await benchPortalWeight());
console.log(JSON.stringify({ bench: results, node: process.version, cores: os.cpus().length }));
