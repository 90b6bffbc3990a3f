// The server for bench/power-loss.mjs: `vaultgate serve`, plus the one switch no configuration can set.
// --test-only-acknowledge-before-wal-sync: the negative control (acknowledges ingest before the WAL's fdatasync).
// Both runs checkpoint every 10 minutes instead of every second (a checkpoint syncs the WAL first), so during the
// run nothing but the per-commit fdatasync makes an acknowledged message durable.
// --verify: the server restarted on the copied image to check what it holds keeps the default checkpoints: it is not
// under test, and every audited read it answers is a write (without checkpoints its WAL would fill the image).
import { startServer } from '../dist/server/main.js';

const unsafe = process.argv.includes('--test-only-acknowledge-before-wal-sync');
const verify = process.argv.includes('--verify');
await startServer({ env: process.env }, {
  installSignalHandlers: true,
  ...(verify ? {} : { testOnlySqlite: { checkpointIntervalMs: 600_000, ...(unsafe ? { acknowledgeBeforeWalSync: true } : {}) } }),
});
