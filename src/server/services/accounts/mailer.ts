import { rootCertificates as tlsRootCertificates } from 'node:tls';
import nodemailer from 'nodemailer';
import { VaultgateError } from '../../../protocol/index.js';

/*
 * Outgoing mail (issue 14: invitations) through an SMTP server with nodemailer. The password comes from the
 * configuration (VAULTGATE_SMTP_PASSWORD: environment or file, never a flag) and is never logged: nodemailer's own
 * logger stays off, and a failure is logged by its error code only.
 */

export interface SmtpSettings {
  host: string;
  port: number;
  /** starttls: STARTTLS (RFC 3207) required; implicit: TLS from the first byte (RFC 8314); none: plain text. */
  tls: 'starttls' | 'implicit' | 'none';
  /** PEM certificate authorities to trust for the server's certificate, besides Node's built-in ones. */
  ca?: Buffer | undefined;
  user?: string | undefined;
  password?: string | undefined;
  /** The From header, e.g. `Vaultgate <no-reply@vaultgate.example.com>`. */
  from: string;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** RFC 3282 Content-Language of the text. */
  language: string;
}

export interface Mailer {
  /** Hands the mail to the SMTP server; MAIL_UNAVAILABLE when it cannot (the cause goes to `onError`, never a secret). */
  send(mail: OutgoingMail): Promise<void>;
}

export function smtpMailer(s: SmtpSettings, onError: (err: unknown) => void = () => {}): Mailer {
  const transport = nodemailer.createTransport({
    host: s.host, port: s.port, secure: s.tls === 'implicit', requireTLS: s.tls === 'starttls', ignoreTLS: s.tls === 'none',
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    ...(s.ca ? { tls: { ca: [...tlsRootCertificates, s.ca.toString('utf8')] } } : {}),
    logger: false, debug: false, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000,
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({ from: s.from, to: m.to, subject: m.subject, text: m.text, headers: { 'Content-Language': m.language } });
      } catch (err) {
        onError(err);
        throw new VaultgateError('MAIL_UNAVAILABLE');
      }
    },
  };
}
