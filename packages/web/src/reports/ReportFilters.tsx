import { useState, type FormEvent } from 'react';
import { Field } from '../components/Field.tsx';
import { filterErrors, NO_FILTERS, type Filters } from './filters.ts';

const FIELDS: Array<{ name: keyof Filters; label: string; placeholder: string }> = [
  { name: 'version', label: 'Version', placeholder: '1.0' },
  { name: 'minver', label: 'Min version', placeholder: '1.0.0' },
  { name: 'maxver', label: 'Max version', placeholder: '2.0' },
  { name: 'projectName', label: 'Project', placeholder: 'All projects' },
  { name: 'reportType', label: 'Report type', placeholder: 'All types' },
];

export function ReportFilters({ initial, onApply }: { initial: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<Partial<Record<keyof Filters, string>>>({});
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = filterErrors(draft);
    setErrors(found);
    if (Object.keys(found).length === 0) onApply(draft);
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Report filters">
      {FIELDS.map((field) => (
        <Field key={field.name} label={field.label} error={errors[field.name]} errorId={`filter-${field.name}-error`}>
          <input
            name={field.name}
            value={draft[field.name]}
            placeholder={field.placeholder}
            aria-invalid={errors[field.name] ? true : undefined}
            aria-describedby={errors[field.name] ? `filter-${field.name}-error` : undefined}
            onChange={(e) => setDraft({ ...draft, [field.name]: e.target.value })}
          />
        </Field>
      ))}
      <div className="filter-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(NO_FILTERS);
            setErrors({});
            onApply(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
