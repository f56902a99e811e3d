import type { ReactNode } from 'react';

/**
 * A labelled control with its error message beside it, not inside the label: the control's
 * accessible name stays its label ("Project name"), and the message is its description
 * (the control sets aria-describedby to `errorId`).
 */
export function Field({ label, error, errorId, children }: { label: string; error: string | undefined; errorId: string; children: ReactNode }) {
  return (
    <div className="field">
      <label>
        {label}
        {children}
      </label>
      {error ? (
        <span className="field-error" id={errorId}>
          {error}
        </span>
      ) : null}
    </div>
  );
}
