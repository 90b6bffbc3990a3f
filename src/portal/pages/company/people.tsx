import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { refreshSession, useSession, type Role } from '../../session.js';
import { useCompany } from './org.js';

interface Member { userId: string; role: Role; createdAt: string; email: string; displayName: string }
interface Invitation { id: string; email: string; role: Role; createdAt: string; expiresAt: string; acceptedAt: string | null; revokedAt: string | null }

/** open, accepted, revoked or expired (the API gives the instants). */
const stateOf = (i: Invitation): 'open' | 'accepted' | 'revoked' | 'expired' =>
  (i.revokedAt ? 'revoked' : i.acceptedAt ? 'accepted' : Date.parse(i.expiresAt) < Date.now() ? 'expired' : 'open');

const ROLES: Role[] = ['viewer', 'member', 'admin'];

/**
 * Users and invitations of the organisation: members (GET …/members; admins change a role with PUT …/members/{id},
 * remove with DELETE, reset a member's TOTP with DELETE …/members/{id}/totp), invitations (admins: POST/GET
 * …/invitations, revoke with DELETE; without SMTP the link is shown once) and the require-TOTP switch (PUT
 * …/require-totp).
 */
export function CompanyPeople() {
  const t = useT();
  const { base, isAdmin } = useCompany();
  const { current, me } = useSession();
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>();
  const [status, setStatus] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [link, setLink] = useState<string | undefined>();
  const loadMembers = useCallback((cursor: string | undefined) => api<Page<Member>>('GET', `${base}/members`, { query: { cursor, limit: 50 } }), [base]);
  const loadInvitations = useCallback((cursor: string | undefined) => api<Page<Invitation>>('GET', `${base}/invitations`, { query: { cursor, limit: 50 } }), [base]);
  const roleText = (r: Role) => t(`account.role.${r}` as MessageKey);

  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setStatus('');
    try {
      await f();
      setStatus(done);
      setReload((n) => n + 1);
    } catch (e) { setError(e); }
  };
  const invite = (e: Event) => {
    e.preventDefault();
    void act(async () => {
      const r = await api<{ mailed: boolean; link?: string }>('POST', `${base}/invitations`, { body: { email, role } });
      setLink(r.link);
      setEmail('');
    }, t('company.people.invited', { email }));
  };
  const requireTotp = current?.organisation.requireTotp ?? false;

  return (
    <>
      <h1>{t('company.people.title')}</h1>
      <ErrorBox error={error} />
      <p role="status" class="ok">{status}</p>
      {link && <SecretOnce secret={link} label={t('company.people.link')} />}
      <section aria-labelledby="totp">
        <h2 id="totp">{t('company.people.totp')}</h2>
        <p>{t(requireTotp ? 'company.people.totpOn' : 'company.people.totpOff')}</p>
        {isAdmin && (
          <button type="button" class="secondary" onClick={() => void act(async () => {
            await api('PUT', `${base}/require-totp`, { body: { required: !requireTotp } });
            await refreshSession();
          }, t(requireTotp ? 'company.people.totpOffDone' : 'company.people.totpOnDone'))}>
            {t(requireTotp ? 'company.people.totpDisable' : 'company.people.totpEnable')}
          </button>
        )}
      </section>
      <section aria-labelledby="members">
        <h2 id="members">{t('company.people.members')}</h2>
        <DataTable<Member>
          caption={t('company.people.members')} headingId="members" load={loadMembers} reloadKey={reload} rowKey={(m) => m.userId}
          columns={[
            { header: t('company.people.name'), cell: (m) => m.displayName },
            { header: t('company.people.email'), cell: (m) => m.email },
            {
              header: t('company.people.role'),
              cell: (m) => (isAdmin && m.userId !== me?.user.id ? (
                <select aria-label={t('company.people.roleOf', { name: m.displayName })} value={m.role}
                  onChange={(e) => { const r = (e.target as HTMLSelectElement).value as Role; void act(() => api('PUT', `${base}/members/${encodeURIComponent(m.userId)}`, { body: { role: r } }), t('company.people.roleChanged', { name: m.displayName, role: roleText(r) })); }}>
                  {ROLES.map((r) => <option key={r} value={r}>{roleText(r)}</option>)}
                </select>
              ) : roleText(m.role)),
            },
            { header: t('company.people.since'), cell: (m) => formatDateTime(m.createdAt) },
            ...(isAdmin ? [{
              header: t('company.actions'),
              cell: (m: Member) => (m.userId === me?.user.id ? '–' : (
                <span class="row-actions">
                  <ConfirmButton label={t('company.people.resetTotp', { name: m.displayName })}
                    onConfirm={() => act(() => api('DELETE', `${base}/members/${encodeURIComponent(m.userId)}/totp`), t('company.people.totpReset', { name: m.displayName }))} />
                  <ConfirmButton label={t('company.people.remove', { name: m.displayName })}
                    onConfirm={() => act(() => api('DELETE', `${base}/members/${encodeURIComponent(m.userId)}`), t('company.people.removed', { name: m.displayName }))} />
                </span>
              )),
            }] : []),
          ]}
        />
      </section>
      {isAdmin && (
        <section aria-labelledby="invitations">
          <h2 id="invitations">{t('company.people.invitations')}</h2>
          <form onSubmit={invite} aria-label={t('company.people.invite')}>
            <Field label={t('company.people.email')} type="email" name="invite-email" required maxLength={320} value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
            <Field label={t('company.people.role')}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
                  {ROLES.map((r) => <option key={r} value={r}>{roleText(r)}</option>)}
                </select>
              )}
            </Field>
            <button type="submit">{t('company.people.invite')}</button>
          </form>
          <DataTable<Invitation>
            caption={t('company.people.invitations')} load={loadInvitations} reloadKey={reload} rowKey={(i) => i.id} emptyText={t('company.people.noInvitations')}
            columns={[
              { header: t('company.people.email'), cell: (i) => i.email },
              { header: t('company.people.role'), cell: (i) => roleText(i.role) },
              { header: t('company.created'), cell: (i) => formatDateTime(i.createdAt) },
              { header: t('company.status'), cell: (i) => t(`company.people.state.${stateOf(i)}`) },
              {
                header: t('company.actions'),
                cell: (i) => (stateOf(i) === 'open'
                  ? <ConfirmButton label={t('company.people.revoke', { email: i.email })}
                    onConfirm={() => act(() => api('DELETE', `${base}/invitations/${encodeURIComponent(i.id)}`), t('company.people.revoked', { email: i.email }))} />
                  : '–'),
              },
            ]}
          />
        </section>
      )}
    </>
  );
}
