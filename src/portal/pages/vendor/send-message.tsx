import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { ProgressBar } from '../../components/progress-bar.js';
import { language, useT, type Language, type MessageKey } from '../../i18n/index.js';
import { BROWSER_MAC_ALGORITHMS, bearerHeaders, bearerHeadersMasked, getBearerToken, MacSignError, signMacRequest, TokenRequestError, type BrowserMacAlgorithm } from '../../lib/mac-sign.js';
import { useSession } from '../../session.js';
import { sampleBody } from './envelope-code.js';
import { readAnswer, type SentAnswer } from './send-answer.js';
import { fetchPostman, loadAll, orgPath, type Channel, type ChannelRequest } from './types.js';

/** What was sent, for display: every header (keys masked) and, on the MAC path, the masked string that was hashed. */
interface Sent { method: string; url: string; headers: Record<string, string>; stringToHash?: string }

/** The form label of a field MacSignError names (its `field`). */
const FIELD_LABELS: Record<string, MessageKey> = {
  sender: 'vendor.send.sender', customerId: 'vendor.send.customerId', partnerId: 'vendor.creds.partnerId', language: 'vendor.send.language',
  organisationId: 'vendor.requests.businessId', transactionId: 'vendor.send.transactionId', customerKey: 'vendor.send.customerKey',
  partnerKey: 'vendor.send.partnerKey', algorithm: 'vendor.send.algorithm',
};

/** An absolute URL's path and query, on this page's own origin. */
const ownOrigin = (absolute: string): string => {
  const u = new URL(absolute);
  return `${u.pathname}${u.search}`;
};

const value = (e: Event) => (e.target as HTMLInputElement).value;

/** The MAC's X-Netvisor-Interface-Language for the portal's language (Swedish is `SE` there). */
const MAC_LANGUAGE: Record<Language, 'FI' | 'EN' | 'SE'> = { fi: 'FI', en: 'EN', sv: 'SE' };

/**
 * Send a test message to one of the vendor's channels (POST /ingestion/{channelId}?messageType=…), signed in the
 * browser: the signed-header MAC (src/portal/lib/mac-sign.ts; the partner and customer keys are pasted and never leave
 * the page) or a bearer token of an OAuth client (POST /oauth2/token). Shows the exact request headers and the string
 * to hash with the keys masked, then the answer (status, headers, body: the XML envelope on the MAC path,
 * problem+json on the bearer path) and, for a refusal, its code and remedy. The URL signed is the channel's public
 * URL; the request goes to the page's own origin (path and query). After an accepted send the transaction id is
 * renewed; "Send again with the same id" re-sends the last one, which shows the replay refusal.
 */
export function VendorSendMessage() {
  const t = useT();
  const { current } = useSession();
  const orgId = current!.organisationId;
  const partyId = current!.organisation.partyId;
  const [channels, setChannels] = useState<Channel[] | undefined>();
  const [channelId, setChannelId] = useState('');
  const [typeName, setTypeName] = useState('');
  const [mediaType, setMediaType] = useState('');
  const [body, setBody] = useState('');
  const [scheme, setScheme] = useState<'mac' | 'bearer'>('mac');
  const lang = language();
  const [mac, setMac] = useState({ partnerId: '', partnerKey: '', customerId: '', customerKey: '', organisationId: '', sender: 'Vaultgate portal', language: MAC_LANGUAGE[lang] as string, algorithm: 'HMACSHA256' as BrowserMacAlgorithm });
  // The interface language follows the portal's (it may still be changed for this request).
  useEffect(() => { setMac((m) => ({ ...m, language: MAC_LANGUAGE[lang] })); }, [lang]);
  /** Company names by id (from the vendor's channel requests; a channel created by the operator shows its id). */
  const [companies, setCompanies] = useState<Record<string, string>>({});
  const [oauth, setOauth] = useState({ clientId: '', clientSecret: '' });
  const [typed, setTransactionId] = useState<string>(() => crypto.randomUUID());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [signError, setSignError] = useState<MacSignError | undefined>();
  const [sent, setSent] = useState<Sent | undefined>();
  const [answer, setAnswer] = useState<SentAnswer | undefined>();
  /** The transaction id of the last request that reached the server (for "send again with the same id"). */
  const [lastId, setLastId] = useState<string | undefined>();

  useEffect(() => {
    loadAll<Channel>(orgPath(orgId, '/channels'))
      .then((all) => {
        const mine = all.filter((c) => c.partyId === partyId && c.status === 'active');
        setChannels(mine);
        if (mine[0]) setChannelId(mine[0].id);
      })
      .catch(setError);
    loadAll<ChannelRequest>(orgPath(orgId, '/channel-requests'))
      .then((all) => setCompanies(Object.fromEntries(all.map((r) => [r.companyId, r.companyName]))))
      .catch(() => { /* the ids alone then */ });
  }, [orgId]);
  const channel = useMemo(() => channels?.find((c) => c.id === channelId), [channels, channelId]);
  const type = channel?.messageTypes.find((m) => m.name === typeName);
  useEffect(() => { setTypeName(channel?.messageTypes[0]?.name ?? ''); }, [channel]);
  // The company's business id (the MAC's organisation id) from the channel's Postman environment, when it has one.
  useEffect(() => {
    if (!channel) return;
    let live = true;
    fetchPostman(orgId, channel.id, 'mac')
      .then(({ environment }) => {
        const v = (environment as { values?: { key: string; value: string }[] }).values?.find((x) => x.key === 'organisationId')?.value;
        if (live && v) setMac((m) => ({ ...m, organisationId: v }));
      })
      .catch(() => { /* left for the user to type */ });
    return () => { live = false; };
  }, [channel]);
  useEffect(() => {
    const first = type?.mediaTypes[0] ?? '';
    setMediaType(first);
    setBody(sampleBody(first));
  }, [type]);

  const send = async (e: Event, sameId?: string) => {
    e.preventDefault();
    if (!channel || !type) return;
    const transactionId = sameId ?? typed;
    setError(undefined);
    setSignError(undefined);
    setSent(undefined);
    setAnswer(undefined);
    setBusy(true);
    // Signed as the server verifies it (the channel's public URL, which the MAC covers), sent to this page's own
    // origin (path and query only): the public URL may name another host (127.0.0.1 for localhost, a proxy's
    // name), which the CSP's connect-src 'self' would block.
    const url = `${channel.url}?messageType=${encodeURIComponent(type.name)}`;
    let blocked: string | undefined;
    const onViolation = (v: SecurityPolicyViolationEvent) => { blocked = v.blockedURI || v.violatedDirective; };
    document.addEventListener('securitypolicyviolation', onViolation);
    try {
      let res: Response;
      if (scheme === 'mac') {
        const s = await signMacRequest({ method: 'POST', url, ...mac, transactionId });
        const headers = { ...s.headers, 'Content-Type': mediaType, Accept: 'application/xml' };
        setSent({ method: s.method, url: s.url, headers: { ...s.headersMasked, 'Content-Type': mediaType, Accept: 'application/xml' }, stringToHash: s.stringToHashMasked });
        res = await fetch(ownOrigin(s.url), { method: 'POST', headers, body, credentials: 'omit', cache: 'no-store' });
      } else {
        const token = await getBearerToken({ clientId: oauth.clientId.trim(), clientSecret: oauth.clientSecret, scope: 'ingest' });
        const common = { 'Content-Type': mediaType, 'Idempotency-Key': transactionId, Accept: 'application/json' };
        setSent({ method: 'POST', url, headers: { ...bearerHeadersMasked(token.accessToken), ...common } });
        res = await fetch(ownOrigin(url), { method: 'POST', headers: { ...bearerHeaders(token.accessToken), ...common }, body, credentials: 'omit', cache: 'no-store' });
      }
      const read = await readAnswer(res, { orgId, channelId: channel.id, transactionId, scheme });
      setAnswer(read);
      setLastId(transactionId);
      // Accepted: the next send gets a fresh transaction id ("send again with the same id" keeps the old one).
      if (!read.refusal) setTransactionId(crypto.randomUUID());
    } catch (err) {
      if (err instanceof MacSignError) setSignError(err);
      else if (err instanceof TokenRequestError) setError(new ApiError(err.status, err.code ?? err.error, err.message, undefined, t('vendor.send.tokenRemedy'), undefined));
      else if (err instanceof TypeError) {
        // Give the violation event a moment: it may be dispatched after the fetch rejected.
        await new Promise((r) => setTimeout(r, 50));
        setError(blocked
          ? new ApiError(0, 'BROWSER_BLOCKED', t('vendor.send.blocked', { url: blocked }), undefined, t('vendor.send.blockedRemedy'), undefined)
          : new ApiError(0, 'BROWSER_FETCH_FAILED', t('vendor.send.fetchFailed', { url: ownOrigin(url) }), err.message, t('vendor.send.fetchFailedRemedy'), undefined));
      } else setError(err);
    } finally {
      document.removeEventListener('securitypolicyviolation', onViolation);
      setBusy(false);
    }
  };

  const macField = (k: 'partnerId' | 'customerId' | 'organisationId' | 'sender', label: MessageKey, help?: MessageKey) => (
    <Field label={t(label)} help={help ? t(help) : undefined} name={k} required autoComplete="off" spellcheck={false} value={mac[k]}
      onInput={(e) => setMac((m) => ({ ...m, [k]: value(e) }))} />
  );
  const keyField = (k: 'partnerKey' | 'customerKey', label: MessageKey) => (
    <Field label={t(label)} help={t('vendor.send.keyHelp')} name={k} type="password" required autoComplete="off" value={mac[k]}
      onInput={(e) => setMac((m) => ({ ...m, [k]: value(e) }))} />
  );

  return (
    <>
      <h1>{t('vendor.send.title')}</h1>
      <p>{t('vendor.send.intro')}</p>
      {channels && channels.length === 0 && <p class="empty">{t('vendor.send.noChannels')}</p>}
      <form onSubmit={send} aria-labelledby="send-heading">
        <h2 id="send-heading">{t('vendor.send.request')}</h2>
        <Field label={t('vendor.channel')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={channelId} onChange={(e) => setChannelId(value(e))}>
              {(channels ?? []).map((c) => <option key={c.id} value={c.id}>{t('vendor.send.channelOption', { id: c.id, company: companies[c.companyId] ?? c.companyId })}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('vendor.send.messageType')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={typeName} onChange={(e) => setTypeName(value(e))}>
              {(channel?.messageTypes ?? []).map((m) => <option key={m.name} value={m.name}>{m.name}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('vendor.send.mediaType')}>
          {(id, d) => (
            <select id={id} aria-describedby={d} value={mediaType} onChange={(e) => { setMediaType(value(e)); setBody(sampleBody(value(e))); }}>
              {(type?.mediaTypes ?? []).map((m) => <option key={m} value={m}>{m}</option>)}
            </select>
          )}
        </Field>
        <Field label={t('vendor.send.body')} help={t('vendor.send.bodyHelp')}>
          {(id, d) => <textarea id={id} aria-describedby={d} rows={8} cols={60} spellcheck={false} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />}
        </Field>
        <fieldset>
          <legend>{t('vendor.send.credential')}</legend>
          <label><input type="radio" name="scheme" value="mac" checked={scheme === 'mac'} onChange={() => setScheme('mac')} /> {t('vendor.auth.mac')}</label>{' '}
          <label><input type="radio" name="scheme" value="bearer" checked={scheme === 'bearer'} onChange={() => setScheme('bearer')} /> {t('vendor.auth.oauth')}</label>
        </fieldset>
        {scheme === 'mac' ? (
          <fieldset>
            <legend>{t('vendor.auth.mac')}</legend>
            {macField('partnerId', 'vendor.creds.partnerId')}
            {keyField('partnerKey', 'vendor.send.partnerKey')}
            {macField('customerId', 'vendor.send.customerId', 'vendor.send.customerIdHelp')}
            {keyField('customerKey', 'vendor.send.customerKey')}
            {macField('organisationId', 'vendor.requests.businessId')}
            {macField('sender', 'vendor.send.sender')}
            <Field label={t('vendor.send.language')}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={mac.language} onChange={(e) => setMac((m) => ({ ...m, language: value(e) }))}>
                  {['FI', 'EN', 'SE'].map((l) => <option key={l} value={l}>{l}</option>)}
                </select>
              )}
            </Field>
            <Field label={t('vendor.send.algorithm')}>
              {(id, d) => (
                <select id={id} aria-describedby={d} value={mac.algorithm} onChange={(e) => setMac((m) => ({ ...m, algorithm: value(e) as BrowserMacAlgorithm }))}>
                  {BROWSER_MAC_ALGORITHMS.map((a) => <option key={a} value={a}>{a}</option>)}
                </select>
              )}
            </Field>
          </fieldset>
        ) : (
          <fieldset>
            <legend>{t('vendor.auth.oauth')}</legend>
            <Field label={t('vendor.creds.clientId')} name="clientId" required autoComplete="off" spellcheck={false} value={oauth.clientId} onInput={(e) => setOauth((o) => ({ ...o, clientId: value(e) }))} />
            <Field label={t('vendor.send.clientSecret')} help={t('vendor.send.keyHelp')} name="clientSecret" type="password" required autoComplete="off" value={oauth.clientSecret}
              onInput={(e) => setOauth((o) => ({ ...o, clientSecret: value(e) }))} />
          </fieldset>
        )}
        <Field label={t('vendor.send.transactionId')} help={t('vendor.send.transactionIdHelp')} name="transactionId" required maxLength={255} spellcheck={false}
          value={typed} onInput={(e) => setTransactionId(value(e))} />
        <button type="button" class="secondary" onClick={() => setTransactionId(crypto.randomUUID())}>{t('vendor.send.newTransactionId')}</button>
        <button type="submit" disabled={busy || !channel || !type}>{t('vendor.send.submit')}</button>
        {lastId && (
          <button type="button" class="secondary" disabled={busy || !channel || !type} onClick={(e) => void send(e, lastId)}>
            {t('vendor.send.sendSameId', { id: lastId })}
          </button>
        )}
      </form>
      {busy && <ProgressBar label={t('vendor.send.sending')} />}
      <ErrorBox error={error} />
      {signError && (
        // Refused in the browser before anything was sent: no server code, the field and what to do.
        <div class="error-box" role="alert">
          <p class="error-title">{t(`vendor.send.sign.${signError.problem}` as MessageKey, { field: FIELD_LABELS[signError.field] ? t(FIELD_LABELS[signError.field]!) : signError.field })}</p>
          <p class="error-remedy"><strong>{t('common.errorRemedy')}:</strong> {t('vendor.send.sign.remedy')}</p>
        </div>
      )}
      {sent && (
        <section aria-labelledby="sent-heading">
          <h2 id="sent-heading">{t('vendor.send.sentRequest')}</h2>
          <p><code data-testid="sent-line">{sent.method} {sent.url}</code></p>
          <HeaderTable caption={t('vendor.send.requestHeaders')} rows={Object.entries(sent.headers)} />
          {sent.stringToHash && (
            <>
              <h3>{t('vendor.send.stringToHash')}</h3>
              <p><code class="secret" data-testid="string-to-hash">{sent.stringToHash}</code></p>
            </>
          )}
        </section>
      )}
      {answer && (
        <section aria-labelledby="answer-heading">
          <h2 id="answer-heading">{t('vendor.send.answer')}</h2>
          <p role="status" data-testid="answer-status" class={answer.refusal ? undefined : 'ok'}>
            {answer.refusal ? t('vendor.send.refused', { status: answer.status }) : t('vendor.send.accepted', { status: answer.status })}
          </p>
          <ErrorBox error={answer.refusal} />
          <HeaderTable caption={t('vendor.send.answerHeaders')} rows={answer.headers} />
          <h3>{t('vendor.send.answerBody')}</h3>
          <pre class="secret" data-testid="answer-body">{answer.body}</pre>
        </section>
      )}
    </>
  );
}

function HeaderTable({ caption, rows }: { caption: string; rows: [string, string][] }) {
  const t = useT();
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead><tr><th scope="col">{t('vendor.send.header')}</th><th scope="col">{t('vendor.send.value')}</th></tr></thead>
        <tbody>{rows.map(([k, v]) => <tr key={k}><th scope="row"><code>{k}</code></th><td><code>{v}</code></td></tr>)}</tbody>
      </table>
    </div>
  );
}
