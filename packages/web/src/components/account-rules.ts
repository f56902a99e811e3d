/** The server's rule (accounts/passwords.ts); checked here only to answer before a round trip. */
export const MIN_PASSWORD_LENGTH = 12;

export function passwordErrors(current: string, next: string, repeat: string): { current?: string; next?: string; repeat?: string } {
  const errors: { current?: string; next?: string; repeat?: string } = {};
  if (current === '') errors.current = 'Enter your current password';
  if ([...next].length < MIN_PASSWORD_LENGTH) errors.next = `At least ${MIN_PASSWORD_LENGTH} characters`;
  else if (next === current) errors.next = 'Choose a password different from the current one';
  if (repeat !== next) errors.repeat = 'The two new passwords differ';
  return errors;
}
