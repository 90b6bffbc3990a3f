// Usage: node examples/read.mjs [messageId]   (run where .vaultgate/partner.json and .vaultgate/reader.json are)
// Without a message id it lists the vault; with one it prints the stored bytes.
import { send } from './netvisor-mac.mjs';

const [messageId] = process.argv.slice(2);
const res = await send(messageId ? `/vault/v1/messages/${messageId}` : '/vault/v1/messages', 'reader.json');
if (res.status !== 200) console.error(res.status);
process.stdout.write(res.body);
process.stdout.write('\n');
process.exit(res.status === 200 ? 0 : 1);
