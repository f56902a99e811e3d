/** Small but real report files for tests. */
export function pdfBytes(text = 'Arkiv test report', padding?: Buffer): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    // `padding` makes a large file that is still a sound PDF: an unreferenced binary stream.
    ...(padding ? [`<< /Length ${padding.length} >>\nstream\n${padding.toString('latin1')}\nendstream`] : []),
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function htmlBytes(title = 'Arkiv test report'): Buffer {
  return Buffer.from(`<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1></body></html>`);
}

export type UploadFields = {
  projectName: string;
  projectVersion: string;
  reportType: string;
  reportVersion: number | string;
  date: string;
  vulnerabilitiesCount: number | string;
  securityRating: string;
};

export const sampleFields = (overrides: Partial<UploadFields> = {}): UploadFields => ({
  projectName: 'Test product',
  projectVersion: '1.0',
  reportType: 'CWE Top 25',
  reportVersion: 2024,
  date: '2025-12-17T09:05:48.5946432+00:00',
  vulnerabilitiesCount: 0,
  securityRating: 'A',
  ...overrides,
});

/** A multipart body as a browser or curl would send it. */
export function uploadForm(fields: Partial<UploadFields> & Record<string, unknown>, files: { html?: Buffer | null; pdf?: Buffer | null; htmlType?: string } = {}): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, String(value));
  const html = files.html === undefined ? htmlBytes() : files.html;
  const pdf = files.pdf === undefined ? pdfBytes() : files.pdf;
  if (html) form.append('html', new Blob([html], { type: files.htmlType ?? 'text/html' }), 'report.html');
  if (pdf) form.append('pdf', new Blob([pdf], { type: 'application/pdf' }), 'report.pdf');
  return form;
}
