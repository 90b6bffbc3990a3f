import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';

/**
 * A labelled form control: label, input (or the child control given as `children(id, describedBy)`), help text and
 * error, wired with for/id and aria-describedby; aria-invalid when there is an error.
 */
export function Field(p: {
  label: string;
  help?: string | undefined;
  error?: string | undefined;
  children?: (id: string, describedBy: string | undefined) => ComponentChildren;
} & Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'children' | 'label'>) {
  const { label, help, error, children, id: given, ...input } = p;
  const generated = useId();
  const id = typeof given === 'string' ? given : generated;
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children ? children(id, describedBy) : <input id={id} aria-describedby={describedBy} aria-invalid={error ? true : undefined} {...input} />}
      {help && <p class="help" id={helpId}>{help}</p>}
      {error && <p class="field-error" id={errorId}>{error}</p>}
    </div>
  );
}
