// Every graphql-http server audit, warnings and notices included, against GRAPHQL_HTTP_AUDIT_URL.
// Run by tests/graphql/test_http_audit.py: `node --test audit.test.mjs`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { serverAudits } from 'graphql-http';

const url = process.env.GRAPHQL_HTTP_AUDIT_URL;
if (!url) {
  throw new Error('GRAPHQL_HTTP_AUDIT_URL is not set');
}

for (const audit of serverAudits({ url })) {
  test(`${audit.id} ${audit.name}`, async () => {
    const result = await audit.fn();
    assert.equal(result.status, 'ok', `${result.status}: ${result.reason}`);
  });
}
