import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A few lines of history-API routing: the dashboard has five screens, not enough to justify a
 * router package. The server answers every non-API path with index.html, so deep links and
 * reloads land here.
 */
const CHANGE = 'arkiv:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

export function usePath(): string {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const update = () => setPath(window.location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

export type Section = 'reports' | 'webhooks' | 'settings' | 'integrations' | 'evaluations' | 'audit';
const SECTIONS: readonly Section[] = ['reports', 'webhooks', 'settings', 'integrations', 'evaluations', 'audit'];

/** `/orgs/{orgId}/{section}` → its parts; anything else → null. */
export function parseOrgPath(path: string): { orgId: string; section: Section } | null {
  const match = /^\/orgs\/([0-9a-fA-F-]{36})(?:\/([a-z]+))?\/?$/.exec(path);
  if (!match) return null;
  const section = (match[2] ?? 'reports') as Section;
  return SECTIONS.includes(section) ? { orgId: match[1]!.toLowerCase(), section } : null;
}

export const orgPath = (orgId: string, section: Section = 'reports') => `/orgs/${orgId}/${section}`;

export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    rest.onClick?.(event);
    // Let the browser handle new tabs, downloads and modified clicks.
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} {...rest} onClick={onClick} />;
}
