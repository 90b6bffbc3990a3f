import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { href } from '../../routing.js';
import { useSession } from '../../session.js';
import { orgPath, sharedDataPath, type Grant, type GrantState, type Statement, type Terms } from './data-user-api.js';

/** A state's name standing alone (a table cell, an option): capitalised, as the other pages' status names are. */
const capital = (s: string): string => s.charAt(0).toLocaleUpperCase() + s.slice(1);
const STATES: GrantState[] = ['requested', 'offered', 'active', 'declined', 'revoked', 'withdrawn', 'expired'];

/** A grant's scope in words: types, channels, received window, actions. */
function Scope({ terms }: { terms: Terms }) {
  const t = useT();
  const any = t('dataUser.grants.any');
  return (
    <ul class="scope">
      <li>{t('dataUser.grants.types')}: {terms.messageTypes?.join(', ') || any}</li>
      <li>{t('dataUser.grants.channels')}: {terms.channelIds?.join(', ') || any}</li>
      {(terms.receivedFrom || terms.receivedBefore) && <li>{t('dataUser.grants.received', { from: formatDateTime(terms.receivedFrom), before: formatDateTime(terms.receivedBefore) })}</li>}
      <li>{t('dataUser.grants.actions')}: {terms.actions.map((a) => t(`dataUser.action.${a}` as MessageKey)).join(', ')}</li>
      <li>{t('dataUser.grants.purpose')}: {terms.purpose}</li>
    </ul>
  );
}

/**
 * My requests and grants (consumer side, GET …/grants?role=consumer, optionally of one state): state, scope and
 * validity; admins accept an offer (POST …/accept) and withdraw (…/withdraw); active grants link to the shared-data
 * browser and give their signed statement (GET …/statement, a JWT) as a file.
 */
export function Grants() {
  const t = useT();
  const { current } = useSession();
  const admin = current?.role === 'admin';
  const [state, setState] = useState<GrantState | ''>('');
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string | undefined>();
  const [statement, setStatement] = useState<{ grant: Grant; url: string; s: Statement } | undefined>();
  useEffect(() => () => { if (statement) URL.revokeObjectURL(statement.url); }, [statement]);
  const load = useCallback((cursor: string | undefined) =>
    api<Page<Grant>>('GET', orgPath('/grants'), { query: { role: 'consumer', state, cursor, limit: 25 } }), [state, current?.organisationId]);
  const step = async (g: Grant, name: 'accept' | 'withdraw') => {
    setError(undefined);
    setDone(undefined);
    try {
      const after = await api<Grant>('POST', orgPath(`/grants/${encodeURIComponent(g.id)}/${name}`));
      setDone(t('dataUser.grants.stateNow', { name: g.ownerName ?? g.ownerOrganisationId, state: t(`dataUser.state.${after.state}` as MessageKey) }));
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  const getStatement = async (g: Grant) => {
    setError(undefined);
    try {
      const s = await api<Statement>('GET', orgPath(`/grants/${encodeURIComponent(g.id)}/statement`));
      setStatement({ grant: g, s, url: URL.createObjectURL(new Blob([s.statement], { type: 'application/jwt' })) });
    } catch (err) { setError(err); }
  };
  return (
    <>
      <h1>{t('dataUser.grants.title')}</h1>
      <p>{t('dataUser.grants.intro')} <a href={href('/data-user/discover')}>{t('dataUser.discover.title')}</a></p>
      <div class="field narrow">
        <label for="grant-state">{t('dataUser.grants.filter')}</label>
        <select id="grant-state" value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value as GrantState | '')}>
          <option value="">{t('dataUser.grants.allStates')}</option>
          {STATES.map((s) => <option key={s} value={s}>{capital(t(`dataUser.state.${s}` as MessageKey))}</option>)}
        </select>
      </div>
      <ErrorBox error={error} />
      {done && <p role="status" class="ok">{done}</p>}
      {statement && (
        <section aria-labelledby="statement" class="secret-once">
          <h2 id="statement">{t('dataUser.grants.statementTitle', { name: statement.grant.ownerName ?? statement.grant.ownerOrganisationId })}</h2>
          <p>{t('dataUser.grants.statementHelp', { until: formatDateTime(statement.s.expiresAt) })}</p>
          <p><a href={statement.url} download={`grant-${statement.grant.id}.jwt`}>{t('dataUser.grants.statementDownload')}</a></p>
        </section>
      )}
      <DataTable<Grant>
        caption={t('dataUser.grants.list')} load={load} reloadKey={`${reload}:${state}`} rowKey={(g) => g.id} emptyText={t('dataUser.grants.none')}
        columns={[
          { header: t('dataUser.grants.owner'), cell: (g) => <>{g.ownerName ?? g.ownerOrganisationId}{g.ownerBusinessId && <> ({g.ownerBusinessId})</>}</> },
          { header: t('dataUser.grants.state'), cell: (g) => <span data-state={g.state}>{capital(t(`dataUser.state.${g.state}` as MessageKey))}</span> },
          { header: t('dataUser.grants.scope'), cell: (g) => <Scope terms={g.terms} /> },
          { header: t('dataUser.grants.validity'), cell: (g) => t('dataUser.grants.window', { from: formatDateTime(g.terms.notBefore), until: formatDateTime(g.terms.notOnOrAfter) }) },
          {
            header: t('dataUser.grants.actionsCol'),
            cell: (g) => (
              <span class="confirm">
                {g.state === 'active' && <a href={href(sharedDataPath(g.ownerOrganisationId))}>{t('dataUser.grants.openShared', { name: g.ownerName ?? g.ownerOrganisationId })}</a>}
                {g.state === 'active' && <button type="button" class="secondary" onClick={() => void getStatement(g)}>{t('dataUser.grants.statement')}</button>}
                {admin && g.state === 'offered' && <button type="button" onClick={() => void step(g, 'accept')}>{t('dataUser.grants.accept')}</button>}
                {admin && (g.state === 'requested' || g.state === 'offered' || g.state === 'active') && (
                  <ConfirmButton label={t('dataUser.grants.withdraw')} onConfirm={() => step(g, 'withdraw')} />
                )}
              </span>
            ),
          },
        ]}
      />
    </>
  );
}
