/**
 * `vaultgate org webhooks …`: an organisation's webhook endpoints over /api/v1 (issue 15): list, add (the whsec_
 * secret printed once), show, disable, enable, remove, rotate the secret (printed once; both sign during the overlap),
 * send a test, the delivery log and replay. docs/sharing.md#webhooks says what a delivery looks like.
 */
import { Command, Option } from 'commander';
import { printJson, printTable } from './output.js';

/** What `vaultgate org` gives its subcommands: the API call for the chosen organisation and its printers. */
export interface OrgContext {
  call(method: string, path: string, body?: unknown): Promise<any>;
  out(r: Record<string, unknown>): void;
  table(r: { items: Record<string, unknown>[] }, cols: string[]): void;
  json: boolean | undefined;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const COLUMNS = ['id', 'url', 'status', 'disabledReason', 'eventTypes', 'failingSince', 'description'];

export function webhooksCommand(ctx: (cmd: Command) => OrgContext): Command {
  const wh = new Command('webhooks').description('webhook endpoints: new messages (and grant events) pushed to your HTTPS URL, signed (Standard Webhooks)');
  const ep = (id: string) => `/webhook-endpoints/${encodeURIComponent(id)}`;
  wh.command('ls').description('the endpoints (never their secrets)')
    .action(async (_o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.table(await c.call('GET', '/webhook-endpoints?limit=1000'), COLUMNS);
    });
  wh.command('add <url>').description('register an endpoint (an admin); its whsec_ secret is printed once: store it now')
    .option('--description <text>')
    .option('--grant-events', 'also grant.* events (grant requested, offered, activated, declined, revoked, withdrawn, expired)')
    .option('--no-messages', 'no message.received events (with --grant-events: grant events only)')
    .option('--message-type <name>', 'only this message type (repeatable)', collect)
    .option('--channel <channelId>', 'only this channel (repeatable)', collect)
    .option('--owner <companyId>', "only this owner's vault (repeatable; for a consumer with grants of several owners)", collect)
    .action(async (url: string, o: { description?: string; grantEvents?: boolean; messages: boolean; messageType?: string[]; channel?: string[]; owner?: string[] }, cmd: Command) => {
      const c = ctx(cmd);
      const eventTypes = [...(o.messages ? ['message.received'] : []), ...(o.grantEvents ? ['grant.*'] : [])];
      if (eventTypes.length === 0) throw new Error('--no-messages needs --grant-events: the endpoint would receive nothing');
      c.out(await c.call('POST', '/webhook-endpoints', {
        url, eventTypes, ...(o.description ? { description: o.description } : {}),
        filters: { messageTypes: o.messageType ?? [], channelIds: o.channel ?? [], ownerCompanyIds: o.owner ?? [] },
      }));
    });
  wh.command('show <endpointId>').action(async (id: string, _o: unknown, cmd: Command) => {
    const c = ctx(cmd);
    c.out(await c.call('GET', ep(id)));
  });
  for (const [name, what] of [['disable', 'stop deliveries (they wait until enabled)'], ['enable', 'resume deliveries (also after it was disabled for failing)']] as const) {
    wh.command(`${name} <endpointId>`).description(`${what} (an admin)`).action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `${ep(id)}/${name}`));
    });
  }
  wh.command('rm <endpointId>').description('delete an endpoint and its delivery log (an admin)').action(async (id: string, _o: unknown, cmd: Command) => {
    const c = ctx(cmd);
    await c.call('DELETE', ep(id));
    if (c.json) printJson({ deleted: id });
  });
  wh.command('rotate <endpointId>').description('a new secret, printed once; both secrets sign deliveries during the overlap (an admin)')
    .option('--overlap-hours <hours>', '0-168 (default 24)')
    .action(async (id: string, o: { overlapHours?: string }, cmd: Command) => {
      const c = ctx(cmd);
      c.out(await c.call('POST', `${ep(id)}/rotate-secret`, o.overlapHours === undefined ? {} : { overlapHours: Number(o.overlapHours) }));
    });
  wh.command('test <endpointId>').description('send a webhook.test delivery (an admin); see `deliveries` for how it went')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = ctx(cmd);
      const d = await c.call('POST', `${ep(id)}/test`);
      c.out({ id: d.id, webhookId: d.webhookId, status: d.status });
    });
  wh.command('deliveries <endpointId>').description('the delivery log, newest first: status, attempts, last answer, next attempt')
    .addOption(new Option('--limit <n>').default('50'))
    .action(async (id: string, o: { limit: string }, cmd: Command) => {
      const c = ctx(cmd);
      const r = await c.call('GET', `${ep(id)}/deliveries?limit=${encodeURIComponent(o.limit)}`);
      if (c.json) return printJson(r);
      printTable(r.items.map((d: any) => {
        const last = d.attemptLog.at(-1);
        return { ...d, last: last ? `${last.statusCode ?? '-'} ${last.error ?? ''}`.trim() : '' };
      }), ['id', 'eventType', 'messageId', 'origin', 'status', 'attempts', 'last', 'nextAttemptAt']);
    });
  wh.command('replay <endpointId>').description('deliver one message again (--message) or every message received since an instant (--since) (an admin)')
    .option('--message <messageId>').option('--since <iso>', 'e.g. 2026-01-01T00:00:00Z')
    .action(async (id: string, o: { message?: string; since?: string }, cmd: Command) => {
      if ((o.message === undefined) === (o.since === undefined)) throw new Error('give exactly one of --message and --since');
      const c = ctx(cmd);
      c.out(await c.call('POST', `${ep(id)}/replay`, o.message ? { messageId: o.message } : { since: o.since }));
    });
  return wh;
}
