import { useState } from 'react';
import { errorMessage } from './problem.ts';

/**
 * A screen's changes: each clears the last message, runs, reports success and reloads what the
 * screen lists. A failure is shown and rethrown, so the form that started it keeps its input.
 */
export function useAction(reload: () => void) {
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (work: () => Promise<void>, message: string) => {
    setError(null);
    setNotice(null);
    try {
      await work();
      setNotice(message);
      reload();
    } catch (caught) {
      setError(errorMessage(caught));
      throw caught;
    }
  };
  return { error, notice, setError, setNotice, run };
}
