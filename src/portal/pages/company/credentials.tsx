import { useCallback, useState } from 'preact/hooks';
import { api, type Page } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT } from '../../i18n/index.js';
import { useCompany } from './org.js';

interface Customer { customerId: string; name?: string; scopes: string[]; status: string; createdAt?: string; disabledAt?: string | null }
interface Client { clientId: string; name?: string; roles: string[]; authMethod: string; status: string; createdAt?: string; disabledAt?: string | null; tokenEndpoint?: string }
/** What the server showed once: an id, its secret, and after a rotation when the old secret stops working. */
interface Shown { kind: 'customer' | 'client'; id: string; secret: string; previousValidUntil?: string; created?: boolean }

const SCOPES = ['ingest', 'vault.read'] as const;
const CLIENT_ROLES = ['vault.read', 'shared.read'] as const;

/**
 * A group of checkboxes (a fieldset with a legend); at least one stays ticked. `of` names the form in each box's
 * accessible name ("vault.read, role of the OAuth client"): two forms offer the same option.
 */
function Choices({ legend, of, options, value, onChange }: { legend: string; of: string; options: readonly string[]; value: string[]; onChange: (v: string[]) => void }) {
  return (
    <fieldset class="type-choice">
      <legend>{legend}</legend>
      {options.map((o) => (
        <label key={o}>
          <input type="checkbox" name={o} aria-label={`${o}, ${of}`} checked={value.includes(o)}
            onChange={(e) => onChange((e.target as HTMLInputElement).checked ? [...value, o] : value.filter((x) => x !== o))} /> <code>{o}</code>
        </label>
      ))}
    </fieldset>
  );
}

/**
 * Customer credentials (…/customer-credentials) and OAuth clients (…/clients) of the company: create (the key or
 * secret is shown once with a copy button), rotate with an overlap in hours (the old secret works until the shown
 * instant), disable with a confirm step. Only admins see the forms and buttons.
 */
export function CompanyCredentials() {
  const t = useT();
  const { base, isAdmin } = useCompany();
  const [reload, setReload] = useState(0);
  const [error, setError] = useState<unknown>();
  const [shown, setShown] = useState<Shown | undefined>();
  const [overlap, setOverlap] = useState('24');
  const [cName, setCName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['ingest']);
  const [oName, setOName] = useState('');
  const [roles, setRoles] = useState<string[]>(['vault.read']);
  const loadCustomers = useCallback((cursor: string | undefined) => api<Page<Customer>>('GET', `${base}/customer-credentials`, { query: { cursor, limit: 50 } }), [base]);
  const loadClients = useCallback((cursor: string | undefined) => api<Page<Client>>('GET', `${base}/clients`, { query: { cursor, limit: 50 } }), [base]);

  const run = async (f: () => Promise<Shown | undefined>) => {
    setError(undefined);
    try {
      const s = await f();
      setShown(s);
      setReload((n) => n + 1);
    } catch (e) { setError(e); }
  };
  const createCustomer = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api<Customer & { customerKey: string }>('POST', `${base}/customer-credentials`, { body: { name: cName, scopes } });
      setCName('');
      return { kind: 'customer', id: r.customerId, secret: r.customerKey, created: true };
    });
  };
  const createClient = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api<Client & { clientSecret: string }>('POST', `${base}/clients`, { body: { name: oName, owner: 'company', roles } });
      setOName('');
      return { kind: 'client', id: r.clientId, secret: r.clientSecret, created: true };
    });
  };
  const overlapHours = Number(overlap);
  const rotateCustomer = (id: string) => run(async () => {
    const r = await api<{ customerId: string; customerKey: string; previousValidUntil: string }>('POST', `${base}/customer-credentials/${encodeURIComponent(id)}/rotate`, { body: { overlapHours } });
    return { kind: 'customer', id: r.customerId, secret: r.customerKey, previousValidUntil: r.previousValidUntil };
  });
  const rotateClient = (id: string) => run(async () => {
    const r = await api<{ clientId: string; clientSecret: string; previousValidUntil: string }>('POST', `${base}/clients/${encodeURIComponent(id)}/rotate`, { body: { overlapHours } });
    return { kind: 'client', id: r.clientId, secret: r.clientSecret, previousValidUntil: r.previousValidUntil };
  });
  const status = (r: { disabledAt?: string | null; status: string }) => (r.disabledAt ? t('company.disabledAt', { at: formatDateTime(r.disabledAt) }) : r.status === 'active' ? t('company.active') : r.status);

  return (
    <>
      <h1>{t('company.credentials.title')}</h1>
      <p>{t('company.credentials.intro')}</p>
      <ErrorBox error={error} />
      {shown && (
        <div>
          <p role="status">{t(shown.kind === 'customer'
            ? (shown.created ? 'company.credentials.createdCustomer' : 'company.credentials.shownCustomer')
            : (shown.created ? 'company.credentials.createdClient' : 'company.credentials.shownClient'), { id: shown.id })}</p>
          {shown.previousValidUntil && <p class="warning">{t('company.credentials.overlapUntil', { at: formatDateTime(shown.previousValidUntil) })}</p>}
          <SecretOnce secret={shown.secret} label={t(shown.kind === 'customer' ? 'company.credentials.customerKey' : 'company.credentials.clientSecret')} />
        </div>
      )}
      {isAdmin && (
        <Field label={t('company.credentials.overlap')} help={t('company.credentials.overlapHelp')} type="number" name="overlap" min={0} max={168}
          value={overlap} onInput={(e) => setOverlap((e.target as HTMLInputElement).value)} />
      )}
      <section aria-labelledby="customers">
        <h2 id="customers">{t('company.credentials.customers')}</h2>
        {isAdmin && (
          <form onSubmit={createCustomer} aria-label={t('company.credentials.createCustomer')}>
            <Field label={t('company.credentials.name')} name="customer-name" required maxLength={200} value={cName} onInput={(e) => setCName((e.target as HTMLInputElement).value)} />
            <Choices legend={t('company.credentials.scopes')} of={t('company.credentials.scopeOf')} options={SCOPES} value={scopes} onChange={setScopes} />
            <button type="submit" disabled={scopes.length === 0}>{t('company.credentials.createCustomer')}</button>
          </form>
        )}
        <DataTable<Customer>
          caption={t('company.credentials.customers')} load={loadCustomers} reloadKey={reload} rowKey={(r) => r.customerId} emptyText={t('company.credentials.none')}
          columns={[
            { header: t('company.credentials.name'), cell: (r) => r.name ?? '–' },
            { header: t('company.credentials.id'), cell: (r) => <code>{r.customerId}</code> },
            { header: t('company.credentials.scopes'), cell: (r) => r.scopes.join(', ') },
            { header: t('company.created'), cell: (r) => formatDateTime(r.createdAt) },
            { header: t('company.status'), cell: status },
            ...(isAdmin ? [{
              header: t('company.actions'),
              cell: (r: Customer) => (r.disabledAt ? '–' : (
                <span class="row-actions">
                  <button type="button" class="secondary" onClick={() => void rotateCustomer(r.customerId)}>{t('company.credentials.rotate', { name: r.name ?? r.customerId })}</button>
                  <ConfirmButton label={t('company.credentials.disable', { name: r.name ?? r.customerId })}
                    onConfirm={() => run(async () => { await api('POST', `${base}/customer-credentials/${encodeURIComponent(r.customerId)}/disable`); return undefined; })} />
                </span>
              )),
            }] : []),
          ]}
        />
      </section>
      <section aria-labelledby="clients">
        <h2 id="clients">{t('company.credentials.clients')}</h2>
        {isAdmin && (
          <form onSubmit={createClient} aria-label={t('company.credentials.createClient')}>
            <Field label={t('company.credentials.clientName')} name="client-name" required maxLength={200} value={oName} onInput={(e) => setOName((e.target as HTMLInputElement).value)} />
            <Choices legend={t('company.credentials.roles')} of={t('company.credentials.roleOf')} options={CLIENT_ROLES} value={roles} onChange={setRoles} />
            <button type="submit" disabled={roles.length === 0}>{t('company.credentials.createClient')}</button>
          </form>
        )}
        <DataTable<Client>
          caption={t('company.credentials.clients')} load={loadClients} reloadKey={reload} rowKey={(r) => r.clientId} emptyText={t('company.credentials.noClients')}
          columns={[
            { header: t('company.credentials.name'), cell: (r) => r.name ?? '–' },
            { header: t('company.credentials.id'), cell: (r) => <code>{r.clientId}</code> },
            { header: t('company.credentials.roles'), cell: (r) => r.roles.join(', ') },
            { header: t('company.created'), cell: (r) => formatDateTime(r.createdAt) },
            { header: t('company.status'), cell: status },
            ...(isAdmin ? [{
              header: t('company.actions'),
              cell: (r: Client) => (r.disabledAt ? '–' : (
                <span class="row-actions">
                  {r.authMethod === 'client_secret' && (
                    <button type="button" class="secondary" onClick={() => void rotateClient(r.clientId)}>{t('company.credentials.rotate', { name: r.name ?? r.clientId })}</button>
                  )}
                  <ConfirmButton label={t('company.credentials.disable', { name: r.name ?? r.clientId })}
                    onConfirm={() => run(async () => { await api('POST', `${base}/clients/${encodeURIComponent(r.clientId)}/disable`); return undefined; })} />
                </span>
              )),
            }] : []),
          ]}
        />
      </section>
    </>
  );
}
