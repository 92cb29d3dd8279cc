import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail } from '../adapters/express.js';
import { useTestDatabase } from './support/database.js';
import { listen } from './support/listen.js';

const database = useTestDatabase();
let audit: ReturnType<typeof auditTrail>;
beforeAll(() => {
  audit = auditTrail({ database: database.url, logger: false, spillDir: mkdtempSync(path.join(tmpdir(), 'audit-spill-')) });
});
afterAll(() => audit.close());

describe('req.id on Express', () => {
  it('X01 is the request id while the audit follows the request, and what the host sets once it sets one', async () => {
    const app = express();
    app.get('/unaudited', (req, res) => void res.json({ id: (req as { id?: unknown }).id ?? null }));
    app.use(audit);
    app.get('/audited', (req, res) => void res.json({ id: (req as { id?: unknown }).id }));
    app.get(
      '/host-sets',
      (req, _res, next) => {
        (req as { id?: unknown }).id = 'set-by-host';
        next();
      },
      (req, res) => void res.json({ id: (req as { id?: unknown }).id }),
    );
    const server = await listen(app);
    try {
      const audited = await fetch(`${server.url}/audited`);
      expect(await audited.json()).toEqual({ id: audited.headers.get('x-request-id') });
      expect(await (await fetch(`${server.url}/host-sets`)).json()).toEqual({ id: 'set-by-host' });
      expect(await (await fetch(`${server.url}/unaudited`)).json()).toEqual({ id: null });
    } finally {
      await server.close();
    }
  });
});
