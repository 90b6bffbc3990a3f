import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { request } from 'undici';

export const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;

/** Pins this process (the load generator) to core 0, the server to core 1, where the machine has two or more. */
export function pinning() {
  const cores = os.cpus().length;
  if (cores < 2) return { server: [], note: 'one core: not pinned' };
  try {
    execFileSync('taskset', ['-cp', '0', String(process.pid)], { stdio: 'ignore' });
    return { server: ['taskset', '-c', '1'], note: 'load generator on core 0, server on core 1' };
  } catch {
    return { server: [], note: 'taskset unavailable: not pinned' };
  }
}

/** Starts a server process and resolves when it logs its LISTENING line. */
export function startProcess(args, env, prefix = []) {
  const [cmd, ...rest] = prefix.length ? [...prefix, process.execPath, ...args] : [process.execPath, ...args];
  const child = spawn(cmd, rest, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /"code":"LISTENING","url":"([^"]+)"/.exec(out);
      if (m) {
        // Keep draining the log so the server never blocks on a full pipe, but stop keeping it.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, url: m[1], pid: child.pid });
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out.slice(-2000)}`)));
  });
}

export const stopProcess = (s) =>
  new Promise((r) => {
    s.child.removeAllListeners('exit');
    s.child.once('exit', r);
    s.child.kill('SIGTERM');
  });

/** The node process of a server started under taskset (the child of taskset exec's into node: same pid). */
export function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
}

export const TICKS_PER_S = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU time (user + system, every thread) a process has used so far, in microseconds (from /proc/<pid>/stat). */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / TICKS_PER_S;
}

export async function adminCall(url, token, method, path, body) {
  const res = await request(`${url}/admin/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res.body.json();
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
