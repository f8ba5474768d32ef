import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixture/', import.meta.url));
const reporter = fileURLToPath(new URL('../summary-reporter.ts', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

it('counts a file whose beforeAll failed as failed', () => {
  const run = spawnSync(process.execPath, [vitest, 'run', '--root', fixture, `--reporter=${reporter}`], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  expect(run.status).not.toBe(0);
  expect(run.stdout).toMatch(/^0 passed, 1 failed, 1 skipped$/m);
});
