import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import ts from 'typescript';
import { ReportListItemSchema } from '../reports/report-schemas.js';
import { EndpointSchema } from '../webhooks/webhook-schemas.js';
import { API_TYPES_FILE, currentApiTypes } from './api-types.js';

const CLIENT_TYPES_FILE = path.join(path.dirname(API_TYPES_FILE), '..', 'types.ts');
const DASHBOARD_WEBHOOK_TYPES_FILE = path.join(path.dirname(API_TYPES_FILE), '../../../web/src/webhooks/webhook-types.ts');

/**
 * Type errors of `probe` compiled against the client's types.ts and the dashboard's webhook-types.ts
 * (which imports `@arkiv/client/types`) over `generated` wire types.
 */
function typeErrors(generated: string, probe: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arkiv-api-types-'));
  try {
    fs.mkdirSync(path.join(dir, 'generated'));
    fs.writeFileSync(path.join(dir, 'generated', 'api-types.ts'), generated);
    fs.copyFileSync(CLIENT_TYPES_FILE, path.join(dir, 'types.ts'));
    fs.copyFileSync(DASHBOARD_WEBHOOK_TYPES_FILE, path.join(dir, 'dashboard-webhook-types.ts'));
    fs.writeFileSync(path.join(dir, 'probe.ts'), probe);
    const program = ts.createProgram([path.join(dir, 'probe.ts')], {
      strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [],
      baseUrl: dir, paths: { '@arkiv/client/types': ['./types.ts'] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const probe = `import type { ReportListItem, Webhook } from './types.js';
import type { Webhook as DashboardWebhook } from './dashboard-webhook-types.js';
export const fromList: ReportListItem['driftProbe'] = 'x';
export const fromWebhook: Webhook['driftProbe'] = 'x';
export const fromDashboard: DashboardWebhook['driftProbe'] = 'x';
`;

describe('generated API types (packages/client/src/generated/api-types.ts)', () => {
  it('are what the current route schemas produce (run `npm run generate:api-types` after changing a schema)', async () => {
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    assert.ok(committed === (await currentApiTypes()), 'packages/client/src/generated/api-types.ts is stale: run npm run generate:api-types');
  });

  it('follow a field added to a TypeBox schema into the client and dashboard types, with no hand edit', async () => {
    const before = typeErrors(fs.readFileSync(API_TYPES_FILE, 'utf8'), probe);
    assert.equal(before.filter((message) => message.includes('driftProbe')).length, 3, before.join('\n'));
    const schemas = [ReportListItemSchema, EndpointSchema] as Array<{ properties: Record<string, unknown>; required?: string[] }>;
    for (const schema of schemas) {
      schema.properties.driftProbe = Type.String();
      schema.required?.push('driftProbe');
    }
    let generated: string;
    try {
      generated = await currentApiTypes();
    } finally {
      for (const schema of schemas) {
        delete schema.properties.driftProbe;
        schema.required?.splice(schema.required.indexOf('driftProbe'), 1);
      }
    }
    assert.notEqual(generated, fs.readFileSync(API_TYPES_FILE, 'utf8'));
    assert.deepEqual(typeErrors(generated, probe), []);
  });
});
