import type { AccountLanguage } from '../../../store/index.js';
import type { OutgoingMail } from './mailer.js';

/** The invitation mail in the invitee's language (EN/FI/SV). Plain text: the link is the only thing to act on. */
export function invitationMail(o: { to: string; language: AccountLanguage; organisation: string; role: string; link: string; expiresAt: string }): OutgoingMail {
  const until = o.expiresAt.replace('T', ' ').slice(0, 16) + ' UTC';
  const t = {
    en: {
      subject: `Invitation to ${o.organisation} on Vaultgate`,
      body: `You have been invited to join ${o.organisation} on Vaultgate as ${o.role}.\n\nAccept the invitation: ${o.link}\n\nThe link works once, until ${until}. If you did not expect this, ignore this message.`,
    },
    fi: {
      subject: `Kutsu organisaatioon ${o.organisation} Vaultgatessa`,
      body: `Sinut on kutsuttu organisaatioon ${o.organisation} Vaultgatessa roolilla ${o.role}.\n\nHyväksy kutsu: ${o.link}\n\nLinkki toimii kerran, ${until} asti. Jos et odottanut tätä viestiä, voit jättää sen huomiotta.`,
    },
    sv: {
      subject: `Inbjudan till ${o.organisation} på Vaultgate`,
      body: `Du har bjudits in till ${o.organisation} på Vaultgate med rollen ${o.role}.\n\nAnta inbjudan: ${o.link}\n\nLänken fungerar en gång, till ${until}. Om du inte väntade dig detta kan du bortse från meddelandet.`,
    },
  }[o.language];
  return { to: o.to, subject: t.subject, text: t.body, language: o.language };
}
