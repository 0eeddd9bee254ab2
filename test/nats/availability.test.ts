/**
 * Says loudly whether the NATS tests ran. Without nats-server on PATH they are skipped locally
 * with a warning and a marker test that says so; under CI (CI=true) or `npm run test:nats`
 * (SDNWAL_REQUIRE_NATS=1) this test fails instead, so they are never silently not run.
 */
import { expect, test } from 'vitest';
import { NATS_BIN } from './setup.js';

const required = process.env.CI === 'true' || process.env.SDNWAL_REQUIRE_NATS === '1';
const install = 'install it (Debian: apt-get install -y nats-server) or set NATS_SERVER_BIN';

if (NATS_BIN) {
  test(`NATS tests run against ${NATS_BIN}`, () => {
    expect(NATS_BIN).toBeTruthy();
  });
} else if (required) {
  test('nats-server is on PATH (required: the NATS tests must run here)', () => {
    expect.fail(`nats-server is not on PATH, so the NATS tests in test/nats did not run; ${install}`);
  });
} else {
  console.warn(`\n!!! The NATS tests in test/nats were NOT RUN: nats-server is not on PATH; ${install}.\n`);
  test('NATS TESTS NOT RUN: nats-server is not on PATH (see the warning above)', () => {
    expect(NATS_BIN).toBeUndefined();
  });
}
