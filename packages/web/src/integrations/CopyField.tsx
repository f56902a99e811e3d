import { useEffect, useRef, useState } from 'react';
import { Field } from '../components/Field.tsx';
import { copyText } from '../settings/CopyId.tsx';

/**
 * A read-only value to paste into another product, with a Copy button that says what happened.
 * URLs and secrets are long: the field is wider than the organisation ID's, within the viewport.
 */
export function CopyField({ label, value, what }: { label: string; value: string; what: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [feedback, setFeedback] = useState('');
  useEffect(() => {
    if (!feedback) return;
    const timer = window.setTimeout(() => setFeedback(''), 4000);
    return () => window.clearTimeout(timer);
  }, [feedback]);
  const copy = async () => {
    const ok = await copyText(value, input.current);
    setFeedback(ok ? `${what} copied to the clipboard` : `Could not copy: select the ${what.toLowerCase()} and press Ctrl+C`);
  };
  return (
    <div className="copy-id">
      <Field label={label}>
        <input ref={input} readOnly value={value} className="mono" style={{ width: 'min(46rem, calc(100vw - 5rem))' }} onFocus={(e) => e.target.select()} />
      </Field>
      <button type="button" aria-label={`Copy ${label.toLowerCase()}`} onClick={copy}>
        Copy
      </button>
      <span className="feedback" role="status" aria-live="polite">
        {feedback}
      </span>
    </div>
  );
}
