// Usage: node examples/send.mjs <channelId> '<json body>'   (run where .vaultgate/partner.json and .vaultgate/sender.json are)
// Prints the answer's body (the receipt, JSON) on stdout and, unless it is 200, the status on stderr.
import { send } from './netvisor-mac.mjs';

const [channelId, body] = process.argv.slice(2);
if (!channelId || !body) {
  console.error("usage: node examples/send.mjs <channelId> '<json body>'");
  process.exit(2);
}
const res = await send(`/ingestion/${channelId}`, 'sender.json', Buffer.from(body, 'utf8'));
if (res.status !== 200) console.error(`HTTP ${res.status}`);
console.log(res.body.toString('utf8'));
process.exit(res.status === 200 ? 0 : 1);
