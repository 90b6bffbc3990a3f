// The baseline: a bare node:http server that reads the request body and answers 200 with a small JSON body.
// It is the limit for a Node server on this machine; Vaultgate's figures are given as ratios to it.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  let size = 0;
  req.on('data', (c) => (size += c.length));
  req.on('end', () => {
    const body = JSON.stringify({ ok: true, size });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 72_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ code: 'LISTENING', url: `http://127.0.0.1:${server.address().port}` })));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
