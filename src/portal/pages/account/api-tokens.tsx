import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { useSession, type Role } from '../../session.js';

interface ApiToken { id: string; organisationId: string; role: Role; name: string; createdAt: string; expiresAt: string; revokedAt: string | null }

const ROLES: Role[] = ['viewer', 'member', 'admin'];

/**
 * Personal API tokens (GET/POST /api/v1/me/api-tokens, DELETE /api/v1/me/api-tokens/{tokenId}): a token acts for one
 * organisation at one role (at most the user's); the token itself is shown once when created.
 */
export function ApiTokens() {
  const t = useT();
  const { me, current } = useSession();
  const [name, setName] = useState('');
  const [organisationId, setOrganisationId] = useState(current?.organisationId ?? '');
  const [role, setRole] = useState<Role>('viewer');
  const [days, setDays] = useState('90');
  const [created, setCreated] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [reload, setReload] = useState(0);
  const orgName = (id: string) => me?.memberships.find((m) => m.organisationId === id)?.organisation.name ?? id;
  const load = useCallback((cursor: string | undefined) => api<Page<ApiToken>>('GET', '/api/v1/me/api-tokens', { query: { cursor, limit: 50 } }), []);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const r = await api<ApiToken & { token: string }>('POST', '/api/v1/me/api-tokens', {
        body: { name, organisationId: organisationId || current?.organisationId, role, expiresInDays: Number(days) },
      });
      setCreated(r.token);
      setName('');
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  const revoke = async (id: string) => {
    setError(undefined);
    try {
      await api('DELETE', `/api/v1/me/api-tokens/${encodeURIComponent(id)}`);
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };

  return (
    <>
      <h1>{t('account.tokens.title')}</h1>
      <p>{t('account.tokens.intro')}</p>
      <ErrorBox error={error} />
      {created && <SecretOnce secret={created} label={t('account.tokens.token')} />}
      <section aria-labelledby="new-token">
        <h2 id="new-token">{t('account.tokens.create')}</h2>
        <form onSubmit={create}>
          <Field label={t('account.tokens.name')} name="name" required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          <Field label={t('common.organisation')}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={organisationId || current?.organisationId} onChange={(e) => setOrganisationId((e.target as HTMLSelectElement).value)}>
                {me?.memberships.map((m) => <option key={m.organisationId} value={m.organisationId}>{m.organisation.name}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('account.tokens.role')} help={t('account.tokens.roleHelp')}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
                {ROLES.map((r) => <option key={r} value={r}>{t(`account.role.${r}` as MessageKey)}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('account.tokens.days')} type="number" name="days" min={1} max={365} required value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('account.tokens.createSubmit')}</button>
        </form>
      </section>
      <DataTable<ApiToken>
        caption={t('account.tokens.list')}
        load={load}
        reloadKey={reload}
        rowKey={(r) => r.id}
        emptyText={t('account.tokens.none')}
        columns={[
          { header: t('account.tokens.name'), cell: (r) => r.name },
          { header: t('common.organisation'), cell: (r) => orgName(r.organisationId) },
          { header: t('account.tokens.role'), cell: (r) => t(`account.role.${r.role}` as MessageKey) },
          { header: t('account.tokens.expires'), cell: (r) => formatDateTime(r.expiresAt) },
          {
            header: t('account.tokens.status'),
            cell: (r) => (r.revokedAt ? t('account.tokens.revokedAt', { at: formatDateTime(r.revokedAt) })
              : <ConfirmButton label={t('account.tokens.revoke', { name: r.name })} onConfirm={() => revoke(r.id)} />),
          },
        ]}
      />
    </>
  );
}
