import { useCallback, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ConfirmButton } from '../../components/confirm-button.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { formatDateTime, useT, type MessageKey } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { orgPath } from './types.js';

/** A signature key as …/signature-keys lists it (never a secret). */
export interface SignatureKey {
  keyId: string; partyId: string; algorithm: 'hmac-sha256' | 'ed25519' | 'ecdsa-p256-sha256'; label: string;
  status: 'active' | 'disabled'; createdAt: string; disabledAt?: string | null;
}

const ALGORITHMS = ['hmac-sha256', 'ed25519', 'ecdsa-p256-sha256'] as const;

/** The public key as typed: a JWK (a JSON object) goes as an object, anything else as PEM text. */
function publicKeyOf(text: string): unknown {
  const v = text.trim();
  if (!v.startsWith('{')) return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v; // the server answers SIGNATURE_KEY_INVALID, with its remedy
  }
}

/**
 * The vendor's HTTP message signature keys (RFC 9421, docs/http-signatures.md; GET/POST
 * /api/v1/organisations/{id}/signature-keys, …/{keyId}/disable): the list (members), and for admins: add an HMAC key
 * (the server makes the secret, shown once with SecretOnce) or upload an Ed25519 / P-256 public key (PEM or JWK), and
 * disable a key after a confirm step. At most 100 keys a party: one page.
 */
export function VendorSignatureKeys() {
  const t = useT();
  const { current } = useSession();
  const orgId = current!.organisationId;
  const isAdmin = current!.role === 'admin';
  const [algorithm, setAlgorithm] = useState<(typeof ALGORITHMS)[number]>('hmac-sha256');
  const [label, setLabel] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [shown, setShown] = useState<{ keyId: string; secret: string } | undefined>();
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>();
  const [reload, setReload] = useState(0);
  const load = useCallback(async () => ({ ...(await api<{ items: SignatureKey[] }>('GET', orgPath(orgId, '/signature-keys'))), nextCursor: null }), [orgId]);

  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setShown(undefined);
    setStatus('');
    try {
      const body = { algorithm, ...(label.trim() ? { label: label.trim() } : {}), ...(algorithm === 'hmac-sha256' ? {} : { publicKey: publicKeyOf(publicKey) }) };
      const r = await api<SignatureKey & { secret?: string }>('POST', orgPath(orgId, '/signature-keys'), { body });
      if (r.secret) setShown({ keyId: r.keyId, secret: r.secret });
      setStatus(t('vendor.sigkeys.added', { keyId: r.keyId }));
      setLabel('');
      setPublicKey('');
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };
  const disable = async (k: SignatureKey) => {
    setError(undefined);
    setShown(undefined);
    try {
      await api('POST', orgPath(orgId, `/signature-keys/${encodeURIComponent(k.keyId)}/disable`));
      setStatus(t('vendor.sigkeys.disabled', { keyId: k.keyId }));
      setReload((n) => n + 1);
    } catch (err) { setError(err); }
  };

  return (
    <>
      <h1>{t('vendor.sigkeys.title')}</h1>
      <p>{t('vendor.sigkeys.intro')}</p>
      <ErrorBox error={error} />
      {status && <p role="status">{status}</p>}
      {shown && <SecretOnce secret={shown.secret} label={t('vendor.sigkeys.secretOf', { keyId: shown.keyId })} />}
      {isAdmin && (
        <form onSubmit={add}>
          <h2>{t('vendor.sigkeys.add')}</h2>
          <Field label={t('vendor.sigkeys.algorithm')} help={t('vendor.sigkeys.algorithmHelp')}>
            {(id, d) => (
              <select id={id} aria-describedby={d} value={algorithm} onChange={(e) => setAlgorithm((e.target as HTMLSelectElement).value as typeof algorithm)}>
                {ALGORITHMS.map((a) => <option key={a} value={a}>{a}</option>)}
              </select>
            )}
          </Field>
          <Field label={t('vendor.sigkeys.label')} help={t('vendor.sigkeys.labelHelp')} name="label" maxLength={200} autoComplete="off" value={label}
            onInput={(e) => setLabel((e.target as HTMLInputElement).value)} />
          {algorithm !== 'hmac-sha256' && (
            <Field label={t('vendor.sigkeys.publicKey')} help={t('vendor.sigkeys.publicKeyHelp')}>
              {(id, d) => <textarea id={id} aria-describedby={d} rows={6} cols={64} required spellcheck={false} value={publicKey} onInput={(e) => setPublicKey((e.target as HTMLTextAreaElement).value)} />}
            </Field>
          )}
          <button type="submit">{algorithm === 'hmac-sha256' ? t('vendor.sigkeys.createHmac') : t('vendor.sigkeys.upload')}</button>
        </form>
      )}
      <h2 id="sigkeys">{t('vendor.sigkeys.list')}</h2>
      <DataTable<SignatureKey>
        caption={t('vendor.sigkeys.list')} headingId="sigkeys"
        load={load}
        reloadKey={reload}
        rowKey={(k) => k.keyId}
        emptyText={t('vendor.sigkeys.none')}
        columns={[
          { header: t('vendor.sigkeys.keyId'), cell: (k) => <code>{k.keyId}</code> },
          { header: t('vendor.sigkeys.algorithm'), cell: (k) => k.algorithm },
          { header: t('vendor.sigkeys.label'), cell: (k) => k.label || '–' },
          { header: t('vendor.status'), cell: (k) => t(`vendor.status.${k.status === 'active' ? 'active' : 'disabled'}` as MessageKey) },
          { header: t('vendor.created'), cell: (k) => formatDateTime(k.createdAt) },
          { header: t('vendor.actions'), cell: (k) => (isAdmin && k.status === 'active' ? <ConfirmButton label={t('vendor.sigkeys.disable', { keyId: k.keyId })} onConfirm={() => disable(k)} /> : '–') },
        ]}
      />
    </>
  );
}
