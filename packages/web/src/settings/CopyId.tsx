import { useEffect, useRef, useState } from 'react';
import { Field } from '../components/Field.tsx';

/** Copies text: the async Clipboard API where the page is a secure context, else a selection copy. */
export async function copyText(text: string, fallbackInput: HTMLInputElement | null): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the selection below.
    }
  }
  if (!fallbackInput) return false;
  fallbackInput.select();
  return document.execCommand('copy');
}

/** The organisation ID, read-only and selectable, with a "Copy ID" button that says what happened. */
export function CopyId({ orgId }: { orgId: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [feedback, setFeedback] = useState<string>('');
  useEffect(() => {
    if (!feedback) return;
    const timer = window.setTimeout(() => setFeedback(''), 4000);
    return () => window.clearTimeout(timer);
  }, [feedback]);
  const copy = async () => {
    const ok = await copyText(orgId, input.current);
    setFeedback(ok ? 'Organisation ID copied to the clipboard' : 'Could not copy: select the ID and press Ctrl+C');
  };
  return (
    <div className="copy-id">
      <Field label="Organisation ID">
        <input ref={input} readOnly value={orgId} className="mono" onFocus={(e) => e.target.select()} />
      </Field>
      <button type="button" onClick={copy}>
        Copy ID
      </button>
      <span className="feedback" role="status" aria-live="polite">
        {feedback}
      </span>
    </div>
  );
}
