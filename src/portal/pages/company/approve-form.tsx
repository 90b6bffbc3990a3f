import { useEffect, useRef, useState } from 'preact/hooks';
import { useT } from '../../i18n/index.js';
import type { ChannelRequest } from './channels.js';
import type { MessageType } from './org.js';

/**
 * Approving a channel request with the agreed types: every requested message type and each of its media types is a
 * checkbox (all ticked); untick to narrow. At least one media type of one type must stay. The heading takes the focus
 * when the form opens, so a keyboard user continues from there.
 */
export function ApproveForm({ request, onApprove, onCancel }: { request: ChannelRequest; onApprove: (types: MessageType[]) => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [request.id]);
  const [picked, setPicked] = useState<Record<string, Set<string>>>(() => Object.fromEntries(request.messageTypes.map((m) => [m.name, new Set(m.mediaTypes)])));
  const toggle = (name: string, media: string, on: boolean) => setPicked((p) => {
    const s = new Set(p[name]);
    if (on) s.add(media); else s.delete(media);
    return { ...p, [name]: s };
  });
  const chosen = request.messageTypes
    .map((m) => ({ ...m, mediaTypes: m.mediaTypes.filter((x) => picked[m.name]?.has(x)) }))
    .filter((m) => m.mediaTypes.length > 0);
  return (
    <form class="approve" aria-labelledby="approve-heading" onSubmit={(e) => { e.preventDefault(); void onApprove(chosen); }}>
      <h3 id="approve-heading" ref={heading} tabIndex={-1}>{t('company.requests.approveTitle', { vendor: request.vendorName })}</h3>
      <p class="help">{t('company.requests.approveHelp')}</p>
      {request.messageTypes.map((m) => (
        <fieldset class="type-choice" key={m.name}>
          <legend>{m.name}</legend>
          {m.mediaTypes.map((media) => (
            <label key={media}>
              <input type="checkbox" name={`${m.name}|${media}`} checked={picked[m.name]?.has(media)} onChange={(e) => toggle(m.name, media, (e.target as HTMLInputElement).checked)} />
              {' '}{t('company.requests.typeMedia', { type: m.name, media })}
            </label>
          ))}
        </fieldset>
      ))}
      {chosen.length === 0 && <p class="field-error" role="alert">{t('company.requests.pickOne')}</p>}
      <span class="row-actions">
        <button type="submit" disabled={chosen.length === 0}>{t('company.requests.approveSubmit')}</button>
        <button type="button" class="secondary" onClick={onCancel}>{t('common.cancel')}</button>
      </span>
    </form>
  );
}
