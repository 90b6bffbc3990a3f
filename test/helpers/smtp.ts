import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/*
 * A real SMTP server (smtp-server) on loopback for the invitation tests: it keeps every mail it receives, parsed by
 * mailparser, so a test can follow the link in it.
 */

export interface Received { to: string[]; subject: string; text: string; language: string | undefined; auth: string | undefined; secure: boolean }

/** The account the server accepts (AUTH PLAIN/LOGIN). */
export const SMTP_USER = 'vaultgate';
export const SMTP_PASSWORD = 'smtp-secret-1';

/** A real SMTP server on loopback that keeps every mail it receives (AUTH PLAIN/LOGIN with one account). */
export async function startSmtp(tls?: { key: Buffer; cert: Buffer }): Promise<{ port: number; mails: Received[]; close: () => Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    secure: false, logger: false, authOptional: false,
    // Without a certificate: plain text only (no STARTTLS offered); with one: STARTTLS offered, AUTH only after it.
    ...(tls ? { key: tls.key, cert: tls.cert, allowInsecureAuth: false } : { disabledCommands: ['STARTTLS'], allowInsecureAuth: true }),
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      simpleParser(stream).then((m) => {
        const lang = m.headers.get('content-language');
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: m.subject ?? '', text: m.text ?? '', language: typeof lang === 'string' ? lang : undefined, auth: session.user as string | undefined, secure: session.secure });
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, mails, close: () => new Promise((r) => server.close(() => r())) };
}
