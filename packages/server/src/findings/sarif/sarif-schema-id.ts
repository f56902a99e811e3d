/** The OASIS schema's own id (draft-04 `id`): its definitions are addressed under it, exports name it as `$schema`. */
export const SARIF_SCHEMA_ID = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
