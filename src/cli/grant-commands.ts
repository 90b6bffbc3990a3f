/**
 * `vaultgate grants …`: grants of vault data between organisations over /api/v1 (issue 15), as the signed-in user of
 * the organisation in --org (the side that acts): a consumer requests, accepts and withdraws; an owner company grants
 * directly, approves, offers narrower terms, declines and revokes. `statement` prints the signed statement of an
 * active grant (a JWT to show a third party; docs/sharing.md says how to verify it).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { withClientOptions } from './client-options.js';
import { orgApi } from './org-commands.js';
import { withOrgOption } from './org-option.js';
import { printJson } from './output.js';

const STATES = ['requested', 'offered', 'active', 'declined', 'revoked', 'withdrawn', 'expired'];
const COLUMNS = ['id', 'state', 'ownerOrganisationId', 'ownerName', 'ownerBusinessId', 'consumerOrganisationId', 'consumerName', 'consumerBusinessId', 'actions', 'notOnOrAfter'];
/** A grant as a table row: the terms' actions and end beside the parties (the API keeps them in `terms`). */
const row = (g: Record<string, unknown>) => {
  const t = g.terms as { actions?: string[]; notOnOrAfter?: string } | undefined;
  return { ...g, actions: t?.actions, notOnOrAfter: t?.notOnOrAfter };
};
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** An organisation named by business id (1234567-8) or by organisation id. */
const ref = (v: string, side: 'owner' | 'consumer') => (/^[0-9]{7}-[0-9]$/.test(v) ? { [`${side}BusinessId`]: v } : { [`${side}OrganisationId`]: v });

interface TermOptions { channel?: string[]; type?: string[]; action?: string[]; receivedFrom?: string; receivedBefore?: string; notBefore?: string; notOnOrAfter?: string; days?: string; purpose?: string }

/** The terms options (all optional here; the server says what a request needs). */
function termOptions(cmd: Command, offer = false): Command {
  const actionHelp = offer
    ? 'read, or read and subscribe (repeatable; left out: as requested)'
    : 'read, or read and subscribe (repeatable; default read; subscribe needs read)';
  return cmd
    .option('--channel <channelId>', "one of the owner's channels (repeatable)", collect)
    .option('--type <messageType>', 'a message type (repeatable)', collect)
    .option('--action <action>', actionHelp, (v: string, prev?: string[]) => {
      if (v !== 'read' && v !== 'subscribe') throw new InvalidArgumentError('read or subscribe');
      return collect(v, prev);
    })
    .option('--received-from <iso>', 'only messages received at or after this instant')
    .option('--received-before <iso>', 'only messages received before this instant')
    .option('--not-before <iso>', offer ? 'valid from (left out: as requested)' : 'valid from (default now)')
    .option('--not-on-or-after <iso>', 'valid until (exclusive)')
    .option('--days <n>', 'valid for this many days from now (instead of --not-on-or-after)');
}

/** The body of the terms given (only what was given: an offer keeps the rest as requested). */
function terms(o: TermOptions, defaults: boolean): Record<string, unknown> {
  const days = o.days === undefined ? undefined : Number(o.days);
  if (days !== undefined && !(days > 0)) throw new Error('--days must be a positive number');
  const end = o.notOnOrAfter ?? (days === undefined ? undefined : new Date(Date.now() + days * 86_400_000).toISOString());
  const body: Record<string, unknown> = {
    channelIds: o.channel, messageTypes: o.type, actions: o.action ?? (defaults ? ['read'] : undefined), purpose: o.purpose,
    receivedFrom: o.receivedFrom, receivedBefore: o.receivedBefore, notBefore: o.notBefore, notOnOrAfter: end,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export function grantsCommand(): Command {
  const grants = withOrgOption(
    withClientOptions(new Command('grants').description('grants of vault data to other organisations (/api/v1, as the signed-in user)'), ['url', 'language', 'sessionToken']),
    'the organisation acting: the owner (co_…) or the consumer (vaultgate account me lists yours)',
  ).option('--json', 'print JSON');

  grants.command('ls').description("the organisation's grants as owner or as consumer")
    .addOption(new Option('--role <role>', 'owner: grants of your vault; consumer: grants you hold').choices(['owner', 'consumer']).makeOptionMandatory())
    .addOption(new Option('--state <state>').choices(STATES))
    .action(async (o: { role: string; state?: string }, cmd: Command) => {
      const c = orgApi(cmd);
      const items: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Record<string, unknown>[]; nextCursor: string | null } =
          await c.call('GET', `/grants?role=${o.role}&limit=1000${o.state ? `&state=${o.state}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      c.table({ items: c.json ? items : items.map(row) }, COLUMNS);
    });
  grants.command('show <grantId>').description('one grant (its terms, and the terms requested)')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = orgApi(cmd);
      c.out(await c.call('GET', `/grants/${encodeURIComponent(id)}`));
    });
  const creations: [name: string, side: 'owner' | 'consumer', path: string, description: string, whom: string][] = [
    ['request', 'owner', '/grants/requests', "request access to part of an owner company's vault (a consumer admin)", 'the owner: its business id (1234567-8) or organisation id'],
    ['grant', 'consumer', '/grants', 'grant a consumer access directly, without a request (an owner admin): active at once', "the consumer: its organisation id, or a company's business id"],
  ];
  for (const [name, side, path, description, whom] of creations) {
    termOptions(grants.command(name).description(description))
      .requiredOption(`--${side} <id>`, whom)
      .requiredOption('--purpose <text>', 'why (at most 500 characters)')
      .action(async (o: TermOptions & Record<'owner' | 'consumer', string>, cmd: Command) => {
        const c = orgApi(cmd);
        c.out(await c.call('POST', path, { ...ref(o[side], side), ...terms(o, true) }));
      });
  }
  termOptions(grants.command('offer <grantId>').description('offer narrower terms than requested (an owner admin); what you leave out stays as requested'), true)
    .action(async (id: string, o: TermOptions, cmd: Command) => {
      const c = orgApi(cmd);
      c.out(await c.call('POST', `/grants/${encodeURIComponent(id)}/offer`, terms(o, false)));
    });
  const steps: [string, string][] = [
    ['approve', 'approve a request as it is (an owner admin)'],
    ['accept', 'accept an offer (a consumer admin)'],
    ['decline', 'decline a request (an owner admin)'],
    ['revoke', "revoke an active grant or an offer (an owner admin): refused from the consumer's next request on"],
    ['withdraw', 'withdraw a request, turn down an offer or end an active grant (a consumer admin)'],
  ];
  for (const [step, description] of steps) {
    grants.command(`${step} <grantId>`).description(description)
      .action(async (id: string, _o: unknown, cmd: Command) => {
        const c = orgApi(cmd);
        c.out(await c.call('POST', `/grants/${encodeURIComponent(id)}/${step}`));
      });
  }
  grants.command('statement <grantId>').description('the signed statement of an active grant (a JWT, valid at most 24 h); --json adds its validity')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const c = orgApi(cmd);
      const r = await c.call('GET', `/grants/${encodeURIComponent(id)}/statement`);
      if (c.json) printJson(r);
      else process.stdout.write(`${r.statement as string}\n`);
    });
  return grants;
}
