import { Command, Option } from 'commander';
import { exportVaultToFile, type MacCredentials } from '../sdk/index.js';

const creds = (o: Record<string, string | undefined>): MacCredentials => {
  const missing = ['partnerId', 'partnerKey', 'customerId', 'customerKey', 'organisationId'].filter((k) => !o[k]);
  if (missing.length > 0) {
    throw new Error(`missing credentials: ${missing.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} (or VAULTGATE_PARTNER_ID, VAULTGATE_PARTNER_KEY, VAULTGATE_CUSTOMER_ID, VAULTGATE_CUSTOMER_KEY, VAULTGATE_ORGANISATION_ID)`);
  }
  return { partnerId: o.partnerId!, partnerKey: o.partnerKey!, customerId: o.customerId!, customerKey: o.customerKey!, organisationId: o.organisationId! };
};

/** `vaultgate vault …`: the owner's reads of its own vault. */
export function vaultCommand(): Command {
  const vault = new Command('vault').description("read your company's vault (MAC credentials with vault.read)")
    .addOption(new Option('--url <url>', 'server base URL').env('VAULTGATE_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--partner-id <id>').env('VAULTGATE_PARTNER_ID'))
    .addOption(new Option('--partner-key <key>').env('VAULTGATE_PARTNER_KEY'))
    .addOption(new Option('--customer-id <id>').env('VAULTGATE_CUSTOMER_ID'))
    .addOption(new Option('--customer-key <key>').env('VAULTGATE_CUSTOMER_KEY'))
    .addOption(new Option('--organisation-id <businessId>').env('VAULTGATE_ORGANISATION_ID'));

  vault.command('export').description('export the vault as NDJSON into a file; run again to resume an interrupted export')
    .requiredOption('--out <file>', 'NDJSON file (appended to when resuming)')
    .option('--channel-id <id>').option('--message-type <name>').option('--from <iso>').option('--to <iso>')
    .action(async (o: Record<string, string | undefined>) => {
      const g = vault.opts<Record<string, string | undefined>>();
      const started = Date.now();
      const r = await exportVaultToFile({
        baseUrl: g.url!, credentials: creds(g), out: o.out!,
        filters: { channelId: o.channelId, messageType: o.messageType, from: o.from, to: o.to },
        onProgress: (n) => process.stderr.write(`\rexported ${n} messages`),
      });
      process.stderr.write(`\n${r.resumedFrom ? 'resumed; ' : ''}${r.written} messages written to ${o.out} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
  return vault;
}
