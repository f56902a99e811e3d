import { cloneElement, useId, type ReactElement } from 'react';

/**
 * A labelled control with its error message beside it. The label is tied by `for`/`id`, not by
 * wrapping: a wrapped <select> would add its current option to its accessible name ("Role Member"),
 * and a wrapped message would add itself. The message is the control's description (the control
 * sets aria-describedby to `errorId`).
 */
export function Field({ label, error, errorId, children }: { label: string; error?: string | undefined; errorId?: string; children: ReactElement<{ id?: string }> }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {cloneElement(children, { id })}
      {error ? (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
