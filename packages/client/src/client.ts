import { archiveFromResponse, type ArchiveDownload } from './archive-download.js';
import { ArkivTransportError } from './errors.js';
import { HttpTransport, type ClientOptions } from './http.js';
import { buildUploadForm, fileKinds, MEDIA_TYPES, metadataFields, type ReportFiles } from './upload-form.js';
import type {
  ApiToken, CreatedToken, FindingsDiff, FindingsDiffQuery, FindingsSearch, FindingsSearchQuery, FindingTrends, FindingTrendsQuery,
  ListReportsQuery, ListReportsResponse, Organization, ReportListItem, ReportMetadata, SarifOnlyMetadata, Scope, StoredReport,
} from './types.js';

const isNode = () => typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** Largest page the server serves; listAllReports asks for this by default. */
const MAX_PAGE_SIZE = 1000;

export interface UploadResult {
  report: StoredReport;
  /** true for a new report (201), false when the identity existed and was replaced (200). */
  created: boolean;
}

/**
 * Typed access to the Arkiv API on the platform's `fetch`. Every error response becomes an
 * ArkivApiError carrying the server's stable `code`; network failures an ArkivTransportError.
 */
export class ArkivClient {
  private readonly http: HttpTransport;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** `GET /security/report/list`: one page when `limit` is given, otherwise every match. */
  listReports(query: ListReportsQuery, options: { signal?: AbortSignal } = {}): Promise<ListReportsResponse> {
    return this.http.json('GET', '/security/report/list', { query: { ...query }, signal: options.signal });
  }

  /** Every match, fetched page by page through `nextCursor`. */
  async listAllReports(query: Omit<ListReportsQuery, 'limit' | 'cursor'>, options: { pageSize?: number; signal?: AbortSignal } = {}): Promise<ListReportsResponse> {
    const reports: ReportListItem[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    let organizationId = query.org;
    do {
      const page = await this.listReports({ ...query, limit: options.pageSize ?? MAX_PAGE_SIZE, cursor }, options);
      organizationId = page.organizationId;
      reports.push(...page.reports);
      cursor = page.nextCursor ?? undefined;
      // A server that hands back a cursor twice would loop forever: refuse instead.
      if (cursor !== undefined && seen.has(cursor)) throw new ArkivTransportError('the server repeated a pagination cursor');
      if (cursor !== undefined) seen.add(cursor);
    } while (cursor !== undefined);
    return { organizationId, reports };
  }

  /** `GET /security/report/files`: the ZIP as a stream, or `{ found: false }` when a report does not exist. */
  async downloadArchive(input: { org: string; reports: readonly string[]; signal?: AbortSignal }): Promise<ArchiveDownload> {
    const response = await this.http.send('GET', '/security/report/files', {
      query: { org: input.org, reports: input.reports },
      accept: [204],
      signal: input.signal,
    });
    return archiveFromResponse(response);
  }

  /**
   * `POST /security/report` with an upload token. Files given as paths stream from disk in
   * constant memory (node:http on Node); Blobs go through fetch.
   */
  async uploadReport(metadata: ReportMetadata | SarifOnlyMetadata, files: ReportFiles, options: { signal?: AbortSignal } = {}): Promise<UploadResult> {
    const kinds = fileKinds(files);
    const onDisk = kinds.every((kind) => typeof files[kind] === 'string') && isNode() && this.http.usesPlatformFetch;
    const request = onDisk
      ? { diskUpload: { fields: metadataFields(metadata), files: kinds.map((kind) => ({ field: kind, filePath: files[kind] as string, mediaType: MEDIA_TYPES[kind] })) } }
      : { form: await buildUploadForm(metadata, files) };
    const response = await this.http.send('POST', '/security/report', { ...request, signal: options.signal });
    return { report: (await response.json()) as StoredReport, created: response.status === 201 };
  }

  /** `GET /security/report/{id}/sarif`: the report's findings as a SARIF 2.1.0 log (parsed). */
  async getReportSarif(org: string, reportId: string, options: { signal?: AbortSignal } = {}): Promise<Record<string, unknown>> {
    const response = await this.http.send('GET', `/security/report/${encodeURIComponent(reportId)}/sarif`, { query: { org }, signal: options.signal });
    return (await response.json()) as Record<string, unknown>;
  }

  /**
   * New, fixed and unchanged open findings between two versions of a product: complete counts and
   * one page of each list (`limit` per list); pass a `nextCursor` entry as `cursor` for the next
   * page of that list, or read a whole list with `diffFindingList`.
   */
  diffFindings(orgId: string, query: FindingsDiffQuery, options: { signal?: AbortSignal } = {}): Promise<FindingsDiff> {
    return this.http.json('GET', `/api/orgs/${encodeURIComponent(orgId)}/findings/diff`, { query: { ...query }, signal: options.signal });
  }

  /** Every finding of one diff list (new, fixed or unchanged), page by page, in place order. */
  async *diffFindingList(
    orgId: string,
    query: Omit<FindingsDiffQuery, 'cursor'>,
    list: 'new' | 'fixed' | 'unchanged',
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<FindingsDiff['new'][number], void, undefined> {
    let cursor: string | null | undefined;
    do {
      const page: FindingsDiff = await this.diffFindings(orgId, { ...query, ...(cursor ? { cursor } : {}) }, options);
      yield* page[list];
      cursor = page.nextCursor[list];
    } while (cursor);
  }

  /** Findings across versions (by CWE, rule or file), grouped by product version; one page. */
  searchFindings(orgId: string, query: FindingsSearchQuery, options: { signal?: AbortSignal } = {}): Promise<FindingsSearch> {
    return this.http.json('GET', `/api/orgs/${encodeURIComponent(orgId)}/findings`, { query: { ...query }, signal: options.signal });
  }

  /** Open findings of a product per version: totals, by severity and by category. */
  findingTrends(orgId: string, query: FindingTrendsQuery, options: { signal?: AbortSignal } = {}): Promise<FindingTrends> {
    return this.http.json('GET', `/api/orgs/${encodeURIComponent(orgId)}/findings/trends`, { query: { ...query }, signal: options.signal });
  }

  /** `DELETE /security/report/{id}` with an admin token of the report's organisation. */
  async deleteReport(id: string): Promise<void> {
    await this.http.send('DELETE', `/security/report/${encodeURIComponent(id)}`);
  }

  getOrganization(orgId: string): Promise<Organization> {
    return this.http.json('GET', `/api/orgs/${encodeURIComponent(orgId)}`);
  }

  updateOrganization(orgId: string, patch: { name?: string; requireReadToken?: boolean }): Promise<Organization> {
    return this.http.json('PATCH', `/api/orgs/${encodeURIComponent(orgId)}`, { json: patch });
  }

  /** The returned `token` is shown by the server this once. */
  createToken(orgId: string, input: { name: string; scopes: Scope[] }): Promise<CreatedToken> {
    return this.http.json('POST', `/api/orgs/${encodeURIComponent(orgId)}/tokens`, { json: input });
  }

  async listTokens(orgId: string): Promise<ApiToken[]> {
    const { tokens } = await this.http.json<{ tokens: ApiToken[] }>('GET', `/api/orgs/${encodeURIComponent(orgId)}/tokens`);
    return tokens;
  }

  async revokeToken(orgId: string, tokenId: string): Promise<void> {
    await this.http.send('DELETE', `/api/orgs/${encodeURIComponent(orgId)}/tokens/${encodeURIComponent(tokenId)}`);
  }
}
