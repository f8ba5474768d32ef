// Setup file of the e2e project: a test file fails when any page it opened threw an uncaught error.
import { afterAll, expect } from 'vitest';
import { pageErrors } from './browser';

afterAll(() => {
  expect(pageErrors, 'uncaught errors in the pages').toEqual([]);
});
