import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const fixturePath = (rel: string) => fileURLToPath(new URL(`../fixtures/${rel}`, import.meta.url));
export const fixtureBytes = (rel: string) => new Uint8Array(readFileSync(fixturePath(rel)));
