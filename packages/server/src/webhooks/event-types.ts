/** Event types Arkiv sends. Other features add their own (e.g. `nexus-iq.*`) through emitEvent. */
export const REPORT_EVENT_TYPES = ['report.created', 'report.updated', 'report.deleted'] as const;
export const PING_EVENT_TYPE = 'webhook.ping';

/** A type or a subscription pattern: dotted lowercase words; a pattern may end in `.*`. */
export const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-zA-Z0-9_-]+)*(\\.\\*)?$';

/** Whether an endpoint subscribed to `types` receives an event of `type`. */
export function subscribes(types: readonly string[], type: string): boolean {
  return types.some((t) => t === type || (t.endsWith('.*') && type.startsWith(t.slice(0, -1))));
}

export interface EndpointFilters {
  projectName?: string[];
  reportType?: string[];
}

interface ReportLike {
  projectName: string;
  reportType: string;
}

/**
 * Filters narrow report events: the endpoint receives the event when at least one of its reports
 * matches every given filter. Events that carry no reports are not narrowed by report filters.
 */
export function passesFilters(filters: EndpointFilters | null, reports: readonly ReportLike[] | undefined): boolean {
  if (!filters || !reports) return true;
  const { projectName, reportType } = filters;
  return reports.some(
    (r) => (!projectName?.length || projectName.includes(r.projectName)) && (!reportType?.length || reportType.includes(r.reportType)),
  );
}
