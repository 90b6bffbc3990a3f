/**
 * A failed fdatasync of the WAL (issue 12 §2) in a real server process: the message whose commit it covered is
 * never acknowledged, the process logs WAL_SYNC_FAILED at fatal and exits 70. The failure is injected through the
 * store's test-only fdatasync (a real disk's EIO cannot be had on demand); everything else is the real server.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { macRequest } from '../helpers/mac-request.js';
import { ProcessPool } from '../helpers/processes.js';
import { adminCall, createTenant, REPO } from '../helpers/servers.js';

const pool = new ProcessPool();
afterAll(() => pool.cleanup());

describe('a failed fdatasync of the WAL', () => {
  it('is never acknowledged: the process logs WAL_SYNC_FAILED and exits 70', async () => {
    const dataDir = pool.dir();
    // Syncs succeed until the marker file exists, so the tenant can be set up first.
    const script = `
      import { existsSync } from 'node:fs';
      import { fdatasync } from 'node:fs';
      import { startServer } from ${JSON.stringify(join(REPO, 'dist/server/main.js'))};
      const marker = ${JSON.stringify(join(dataDir, 'fail-syncs'))};
      await startServer({ env: process.env }, { testOnlySqlite: { fdatasync: (fd, cb) => existsSync(marker)
        ? cb(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5 }))
        : fdatasync(fd, cb) } });
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', VAULTGATE_DATA_DIR: dataDir, VAULTGATE_PORT: '0', VAULTGATE_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && !url; i++) {
        url = /"code":"LISTENING","url":"([^"]+)"/.exec(out)?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, out).toBeDefined();
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const t = await createTenant((method, path, body) => adminCall(url!, token, method, path, body));
      const ok = await macRequest({ baseUrl: url!, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"n":1}', headers: { 'content-type': 'application/json' } });
      expect(ok.status, ok.text).toBe(200);

      writeFileSync(join(dataDir, 'fail-syncs'), '');
      const refused = await macRequest({ baseUrl: url!, target: `/ingestion/${t.channelId}`, creds: t.sender, body: '{"n":2}', headers: { 'content-type': 'application/json' } })
        .then((r) => r.status, () => 'connection closed');
      expect(refused).not.toBe(200);
      expect(await exited).toBe(70);
      const fatal = out.split('\n').filter((l) => l.includes('WAL_SYNC_FAILED')).map((l) => JSON.parse(l));
      expect(fatal[0]).toMatchObject({ level: 60, code: 'WAL_SYNC_FAILED' });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
