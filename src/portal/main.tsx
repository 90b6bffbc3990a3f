import { render } from 'preact';
import { App } from './app.js';
import './styles.css';

/*
 * Each page is a chunk of its own, loaded when first opened (pages/<domain>/routes.ts). A tab opened before a new
 * build was deployed asks for chunks the server no longer has: load the page anew (the new index.html names the new
 * chunks) — at most once in 30 s, so a server that is down does not make the page reload in a loop.
 */
window.addEventListener('vite:preloadError', (e) => {
  const KEY = 'vaultgate.chunkReload';
  let last = 0;
  try { last = Number(sessionStorage.getItem(KEY) ?? 0); } catch { /* storage blocked */ }
  if (Date.now() - last < 30_000) return;
  try { sessionStorage.setItem(KEY, String(Date.now())); } catch { /* storage blocked */ }
  e.preventDefault();
  window.location.reload();
});

render(<App />, document.getElementById('app')!);
