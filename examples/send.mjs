// Usage: node examples/send.mjs <channelId> '<json body>'   (run where partner.json and sender.json are)
import { send } from './netvisor-mac.mjs';

const [channelId, body] = process.argv.slice(2);
if (!channelId || !body) {
  console.error("usage: node examples/send.mjs <channelId> '<json body>'");
  process.exit(2);
}
const res = await send(`/ingestion/${channelId}`, 'sender.json', Buffer.from(body, 'utf8'));
console.log(res.status, res.body.toString('utf8'));
process.exit(res.status === 200 ? 0 : 1);
