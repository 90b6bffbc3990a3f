import type { AccountLanguage } from '../../../store/index.js';
import type { OutgoingMail } from './mailer.js';

/** The password-reset mail in the user's language (EN/FI/SV). Plain text: the link is the only thing to act on. */
export function passwordResetMail(o: { to: string; language: AccountLanguage; link: string; expiresAt: string }): OutgoingMail {
  const until = o.expiresAt.replace('T', ' ').slice(0, 16) + ' UTC';
  const t = {
    en: {
      subject: 'Set a new Vaultgate password',
      body: `A platform operator issued a password reset for your Vaultgate account.\n\nSet a new password: ${o.link}\n(vaultgate account password-reset '<link>', or POST the link with {"password": "…"})\n\nThe link works once, until ${until}; setting the password signs you out everywhere. If you did not ask for this, tell your operator.`,
    },
    fi: {
      subject: 'Aseta uusi Vaultgate-salasana',
      body: `Alustan ylläpitäjä loi Vaultgate-tilillesi salasanan vaihtolinkin.\n\nAseta uusi salasana: ${o.link}\n(vaultgate account password-reset '<linkki>', tai POST linkkiin {"password": "…"})\n\nLinkki toimii kerran, ${until} asti; salasanan asettaminen kirjaa sinut ulos kaikkialta. Jos et pyytänyt tätä, kerro ylläpitäjälle.`,
    },
    sv: {
      subject: 'Välj ett nytt lösenord för Vaultgate',
      body: `En plattformsoperatör har skapat en länk för att återställa lösenordet till ditt Vaultgate-konto.\n\nVälj ett nytt lösenord: ${o.link}\n(vaultgate account password-reset '<länk>', eller POST till länken med {"password": "…"})\n\nLänken fungerar en gång, till ${until}; ett nytt lösenord loggar ut dig överallt. Om du inte bad om detta, meddela operatören.`,
    },
  }[o.language];
  return { to: o.to, subject: t.subject, text: t.body, language: o.language };
}
