import { csrfHeader, withQuery } from './api.ts';
import { ApiError, parseBody, problemFrom } from './problem.ts';
import { isVersion } from './versions.ts';

/** The upload form's fields, as the multipart API names them. */
export interface UploadFields {
  projectName: string;
  projectVersion: string;
  reportType: string;
  reportVersion: string;
  date: string;
  vulnerabilitiesCount: string;
  securityRating: string;
}

export type UploadErrors = Partial<Record<keyof UploadFields | 'files', string>>;

/**
 * The same rules the server applies, checked before sending so a person sees every problem at
 * once, next to its field. The server still validates: this only saves a round trip.
 */
export function validateUpload(fields: UploadFields, files: { html: File | null; pdf: File | null }): UploadErrors {
  const errors: UploadErrors = {};
  if (fields.projectName.trim() === '') errors.projectName = 'Enter the project name';
  if (fields.projectVersion.trim() === '') errors.projectVersion = 'Enter the project version';
  else if (!isVersion(fields.projectVersion.trim())) errors.projectVersion = 'Use a semantic version such as 1.2.3, 1.0 or 2.0.0-beta.1';
  if (fields.reportType.trim() === '') errors.reportType = 'Enter the report type, e.g. CWE Top 25';
  if (!/^\d{1,7}$/.test(fields.reportVersion.trim()) || Number(fields.reportVersion) > 1_000_000) errors.reportVersion = 'Enter the standard\'s edition as a whole number, e.g. 2024';
  if (fields.date.trim() === '' || Number.isNaN(Date.parse(fields.date))) errors.date = 'Enter the analysis date and time';
  if (!/^\d+$/.test(fields.vulnerabilitiesCount.trim())) errors.vulnerabilitiesCount = 'Enter a whole number, 0 or more';
  if (!['A', 'B', 'C', 'D', 'E'].includes(fields.securityRating)) errors.securityRating = 'Choose a rating from A to E';
  if (!files.html && !files.pdf) errors.files = 'Attach the HTML report, the PDF report, or both';
  else if (files.html && !/\.html?$/i.test(files.html.name)) errors.files = 'The HTML report must be an .html file';
  else if (files.pdf && !/\.pdf$/i.test(files.pdf.name)) errors.files = 'The PDF report must be a .pdf file';
  return errors;
}

/** `datetime-local` gives local time without an offset; the API wants ISO 8601 with one. */
export function toIsoDateTime(local: string): string {
  return new Date(local).toISOString();
}

/**
 * Sends the multipart upload with XMLHttpRequest, the one browser API that reports upload
 * progress. Resolves with the stored report; rejects with ApiError carrying the server's message.
 */
export function sendUpload(orgId: string, form: FormData, onProgress: (fraction: number) => void): Promise<{ id: string; created: boolean }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery('/security/report', { org: orgId }));
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(csrfHeader())) xhr.setRequestHeader(name, value);
    xhr.setRequestHeader('accept', 'application/json, application/problem+json');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new ApiError(problemFrom(0, undefined)));
    xhr.onload = () => {
      const body = parseBody(xhr.getResponseHeader('content-type'), xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve({ id: (body as { id: string }).id, created: xhr.status === 201 });
      } else {
        reject(new ApiError(problemFrom(xhr.status, body)));
      }
    };
    xhr.send(form);
  });
}
