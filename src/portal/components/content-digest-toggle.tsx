import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';

/**
 * A channel's "Require Content-Digest" rule (RFC 9530; GET/POST …/channels/{id}/integrity, docs/http-signatures.md)
 * as a checkbox: read on mount, set on change when `canEdit` (an admin of either side), else shown read-only.
 * `label` names the channel for assistive technology; `onDone` gets the new value, `onError` a refusal (ErrorBox).
 */
export function ContentDigestToggle({ path, canEdit, text, label, onDone, onError }: {
  path: string; canEdit: boolean; text: string; label: string;
  onDone: (required: boolean) => void; onError: (err: unknown) => void;
}) {
  const [required, setRequired] = useState<boolean | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    api<{ requireContentDigest: boolean }>('GET', path).then((r) => { if (live) setRequired(r.requireContentDigest); }, onError);
    return () => { live = false; };
  }, [path]);
  const change = async (e: Event) => {
    const want = (e.target as HTMLInputElement).checked;
    const before = required;
    // Show the person's choice at once (the box is disabled while it is saved); a refusal puts it back. Re-rendering
    // with the old value while saving made the box flip back under the pointer (seen: CI's Playwright check()).
    setRequired(want);
    setBusy(true);
    try {
      const r = await api<{ requireContentDigest: boolean }>('POST', path, { body: { requireContentDigest: want } });
      setRequired(r.requireContentDigest);
      onDone(r.requireContentDigest);
    } catch (err) {
      setRequired(before);
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <label class="checkbox">
      <input type="checkbox" aria-label={label} checked={required === true} disabled={!canEdit || busy || required === undefined} onChange={(e) => void change(e)} />{' '}
      {text}
    </label>
  );
}
