import { useState, type FormEvent } from 'react';
import { errorMessage } from '../lib/problem.ts';
import { sendUpload, toIsoDateTime, validateUpload, type UploadErrors, type UploadFields } from '../lib/upload.ts';
import { ErrorMessage, Notice } from '../components/Status.tsx';
import { Field } from '../components/Field.tsx';

const EMPTY: UploadFields = { projectName: '', projectVersion: '', reportType: '', reportVersion: String(new Date().getFullYear()), date: '', vulnerabilitiesCount: '0', securityRating: 'A' };

const TEXT_FIELDS: Array<{ name: keyof UploadFields; label: string; type?: string; inputMode?: 'numeric' }> = [
  { name: 'projectName', label: 'Project name' },
  { name: 'projectVersion', label: 'Project version' },
  { name: 'reportType', label: 'Report type' },
  { name: 'reportVersion', label: 'Report edition', inputMode: 'numeric' },
  { name: 'date', label: 'Analysis date', type: 'datetime-local' },
  { name: 'vulnerabilitiesCount', label: 'Vulnerabilities', inputMode: 'numeric' },
];

/** Metadata + HTML + PDF, validated field by field before sending, with upload progress. */
export function UploadForm({ orgId, onUploaded }: { orgId: string; onUploaded: (id: string) => void }) {
  const [fields, setFields] = useState(EMPTY);
  const [files, setFiles] = useState<{ html: File | null; pdf: File | null }>({ html: null, pdf: null });
  const [errors, setErrors] = useState<UploadErrors>({});
  const [progress, setProgress] = useState<number | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setDone(null);
    const found = validateUpload(fields, files);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, name === 'date' ? toIsoDateTime(value) : value.trim());
    if (files.html) form.append('html', files.html);
    if (files.pdf) form.append('pdf', files.pdf);
    setProgress(0);
    try {
      const stored = await sendUpload(orgId, form, setProgress);
      setDone(`${stored.created ? 'Uploaded' : 'Replaced'} ${fields.projectName} ${fields.projectVersion} (${fields.reportType}).`);
      setFields(EMPTY);
      setFiles({ html: null, pdf: null });
      setFormKey((k) => k + 1);
      onUploaded(stored.id);
    } catch (caught) {
      setFailure(errorMessage(caught));
    } finally {
      setProgress(null);
    }
  };

  const fieldError = (name: keyof UploadErrors) =>
    errors[name] ? (
      <span className="field-error" id={`upload-${name}-error`}>
        {errors[name]}
      </span>
    ) : null;
  const describedBy = (name: keyof UploadErrors) => (errors[name] ? `upload-${name}-error` : undefined);

  return (
    <form className="upload card" onSubmit={submit} key={formKey} aria-label="Upload a report" noValidate>
      <h2>Upload a report</h2>
      <div className="grid">
        {TEXT_FIELDS.map((field) => (
          <Field key={field.name} label={field.label} error={errors[field.name]} errorId={`upload-${field.name}-error`}>
            <input
              name={field.name}
              type={field.type ?? 'text'}
              inputMode={field.inputMode}
              value={fields[field.name]}
              aria-invalid={errors[field.name] ? true : undefined}
              aria-describedby={describedBy(field.name)}
              onChange={(e) => setFields({ ...fields, [field.name]: e.target.value })}
            />
          </Field>
        ))}
        <Field label="Security rating" error={errors.securityRating} errorId="upload-securityRating-error">
          <select name="securityRating" value={fields.securityRating} onChange={(e) => setFields({ ...fields, securityRating: e.target.value })}>
            {['A', 'B', 'C', 'D', 'E'].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </Field>
        <label>
          HTML report
          <input type="file" name="html" accept=".html,.htm,text/html" aria-describedby={describedBy('files')} onChange={(e) => setFiles({ ...files, html: e.target.files?.[0] ?? null })} />
        </label>
        <label>
          PDF report
          <input type="file" name="pdf" accept=".pdf,application/pdf" aria-describedby={describedBy('files')} onChange={(e) => setFiles({ ...files, pdf: e.target.files?.[0] ?? null })} />
        </label>
      </div>
      {fieldError('files')}
      {progress !== null ? (
        <label className="progress">
          Upload progress
          <progress max={100} value={Math.round(progress * 100)}>
            {Math.round(progress * 100)}%
          </progress>
        </label>
      ) : null}
      <ErrorMessage message={failure} />
      {done ? <Notice>{done}</Notice> : null}
      <button type="submit" className="primary" disabled={progress !== null}>
        {progress !== null ? 'Uploading…' : 'Upload report'}
      </button>
    </form>
  );
}
