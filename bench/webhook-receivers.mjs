// Webhook receivers for the ingest bench's `webhooks` case (issue 15): N HTTPS servers on 127.0.0.1 (the certificate
// and key in WEBHOOK_CERT / WEBHOOK_KEY) that read each delivery and answer 204, and a plain HTTP control server (its
// URL in the LISTENING line) answering GET /ports (the receivers' ports) and GET /count (deliveries received so far).
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';

const n = Number(process.env.WEBHOOK_RECEIVERS ?? 10);
const tls = { cert: readFileSync(process.env.WEBHOOK_CERT), key: readFileSync(process.env.WEBHOOK_KEY) };
let count = 0;
const ports = await Promise.all(Array.from({ length: n }, () => new Promise((resolve) => {
  const s = createHttps(tls, (req, res) => {
    req.resume();
    req.on('end', () => {
      count++;
      res.writeHead(204).end();
    });
  });
  s.keepAliveTimeout = 72_000;
  s.listen(0, '127.0.0.1', () => resolve(s.address().port));
})));
const control = createHttp((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/ports' ? ports : { count }));
});
control.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ code: 'LISTENING', url: `http://127.0.0.1:${control.address().port}` })));
process.on('SIGTERM', () => process.exit(0));
