import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.js';
import { ErrorBox } from '../../components/error-box.js';
import { Field } from '../../components/field.js';
import { SecretOnce } from '../../components/secret-once.js';
import { useT } from '../../i18n/index.js';
import { refreshSession, type User } from '../../session.js';

/**
 * TOTP enrolment (POST /api/v1/me/totp → secret + otpauth URI, shown once as a QR code and as text; POST
 * /api/v1/me/totp/confirm with a current code). With an authenticator enrolled, replacing it needs a current code
 * of the old one first (the same routes).
 */
export function TotpEnrolment({ user }: { user: User }) {
  const t = useT();
  const [oldCode, setOldCode] = useState('');
  const [started, setStarted] = useState<{ secret: string; otpauthUri: string } | undefined>();
  const [qr, setQr] = useState<string | undefined>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!started) return setQr(undefined);
    // qrcode is loaded only when an enrolment starts (issue 16: the profile page stays light).
    void import('qrcode').then(({ default: QRCode }) => QRCode.toString(started.otpauthUri, { type: 'svg', margin: 2 })).then((svg) => setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`));
  }, [started]);

  const start = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    try {
      setStarted(await api('POST', '/api/v1/me/totp', { body: user.totpEnrolled ? { code: oldCode } : {} }));
    } catch (err) { setError(err); }
  };
  const confirm = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/api/v1/me/totp/confirm', { body: { code } });
      setStarted(undefined);
      setCode('');
      setOldCode('');
      setDone(true);
      await refreshSession();
    } catch (err) { setError(err); }
  };

  return (
    <section aria-labelledby="totp-title">
      <h2 id="totp-title">{t('account.totp.title')}</h2>
      {!done && <p>{user.totpEnrolled ? t('account.totp.enrolled') : t('account.totp.notEnrolled')}</p>}
      {done && <p role="status" class="ok">{t('account.totp.done')}</p>}
      <ErrorBox error={error} />
      {!started && (
        <form onSubmit={start}>
          {user.totpEnrolled && (
            <Field label={t('account.totp.oldCode')} name="old-code" inputMode="numeric" autoComplete="one-time-code" required value={oldCode}
              onInput={(e) => setOldCode((e.target as HTMLInputElement).value)} />
          )}
          <button type="submit">{user.totpEnrolled ? t('account.totp.replace') : t('account.totp.start')}</button>
        </form>
      )}
      {started && (
        <form onSubmit={confirm}>
          <p>{t('account.totp.scan')}</p>
          {qr && <img class="qr" src={qr} alt={t('account.totp.qrAlt')} width={200} height={200} />}
          <SecretOnce secret={started.secret} label={t('account.totp.secret')} />
          <Field label={t('account.totpCode')} id="totp-confirm-code" name="code" inputMode="numeric" autoComplete="one-time-code" required value={code}
            onInput={(e) => setCode((e.target as HTMLInputElement).value)} />
          <button type="submit">{t('account.totp.confirm')}</button>
        </form>
      )}
    </section>
  );
}
