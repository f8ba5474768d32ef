import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { serveHub, serveModels } from './model-server';

const CLI = fileURLToPath(new URL('../../models/cli.mjs', import.meta.url));
const MODELS = fileURLToPath(new URL('../../models/', import.meta.url));
let server: Awaited<ReturnType<typeof serveModels>>;
let dir: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', [CLI, ...args], {
      env: { ...process.env, MEDLENS_MODELS_DIR: dir },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  server = await serveModels();
});
afterAll(() => server?.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'medlens-models-'));
  cpSync(join(MODELS, 'manifest.json'), join(dir, 'manifest.json'));
});

const from = () => server.baseUrl.replace(/\/models\/$/, '/models');

it('lists ids, sizes, licences and which models are present', async () => {
  cpSync(join(MODELS, 'test-sam-tiny'), join(dir, 'test-sam-tiny'), { recursive: true });
  const { code, stdout } = await cli('list');
  expect(code).toBe(0);
  expect(stdout).toMatch(
    /^test-sam-tiny\s+SAM-convention fixture \(test model, random weights\)\s+5\.6 kB\s+Apache-2\.0\s+no-url\s+present$/m,
  );
  expect(stdout).toMatch(/^test-litemedsam-tiny\s.*\sabsent$/m);
  expect(stdout).toMatch(/^medsam-vit-b\s+MedSAM \(ViT-B, 1024\)\s+unknown\s+Apache-2\.0\s+no-url\s+absent$/m);
  expect(stdout).toMatch(/^sam-vit-b-int8\s+SAM \(ViT-B, 1024, int8\)\s+100\.2 MB\s+Apache-2\.0\s+pinned\s+absent$/m);
});

it('pulls a model from a server with progress and sha256 checks', async () => {
  const { code, stdout, stderr } = await cli('pull', 'test-sam-tiny', '--from', from());
  expect(code).toBe(0);
  expect(stderr).toMatch(/test-sam-tiny\/decoder\.onnx 100% /);
  expect(stdout).toMatch(/decoder\.onnx: downloaded, sha256 verified/);
  for (const f of ['encoder.onnx', 'decoder.onnx']) {
    expect(readFileSync(join(dir, 'test-sam-tiny', f))).toEqual(readFileSync(join(MODELS, 'test-sam-tiny', f)));
  }
  expect(readdirSync(join(dir, 'test-sam-tiny')).sort()).toEqual(['decoder.onnx', 'encoder.onnx']);
  expect((await cli('pull', 'test-sam-tiny', '--from', from())).stdout).toMatch(/encoder\.onnx: present, verified/);
});

it('resumes a partial download with a byte range', async () => {
  const whole = readFileSync(join(MODELS, 'test-sam-tiny', 'decoder.onnx'));
  cpSync(join(MODELS, 'test-sam-tiny'), join(dir, 'test-sam-tiny'), {
    recursive: true,
    filter: (p) => !p.endsWith('decoder.onnx'),
  });
  writeFileSync(join(dir, 'test-sam-tiny', 'decoder.onnx.part'), whole.subarray(0, 1000));
  const { code, stderr } = await cli('pull', 'test-sam-tiny', '--from', from());
  expect(code).toBe(0);
  expect(stderr).toMatch(/\(resumed\)/);
  expect(server.ranges).toContain('bytes=1000-');
  expect(readFileSync(join(dir, 'test-sam-tiny', 'decoder.onnx'))).toEqual(whole);
});

it('refuses a file whose sha256 differs, leaving nothing behind', async () => {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.models.find((m: { id: string }) => m.id === 'test-litemedsam-tiny').files[0].sha256 = '0'.repeat(64);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  const { code, stderr } = await cli('pull', 'test-litemedsam-tiny', '--from', from());
  expect(code).toBe(1);
  expect(stderr).toMatch(/models: test-litemedsam-tiny\/encoder\.onnx: sha256 [0-9a-f]{64}, the manifest says 0{64}/);
  expect(readdirSync(join(dir, 'test-litemedsam-tiny'))).toEqual([]);
});

it('says clearly when the source cannot be reached, or when there is no source', async () => {
  const offline = await cli('pull', 'test-sam-tiny', '--from', 'http://127.0.0.1:9/models');
  expect(offline.code).toBe(1);
  expect(offline.stderr).toMatch(
    /could not reach http:\/\/127\.0\.0\.1:9\/models\/test-sam-tiny\/encoder\.onnx \(offline, or the server is down\)/,
  );
  expect(existsSync(join(dir, 'test-sam-tiny', 'encoder.onnx'))).toBe(false);
  const nowhere = await cli('pull', 'medsam-vit-b');
  expect(nowhere.stderr).toMatch(
    /medsam-vit-b\/encoder\.onnx has no url in the manifest: give --from <base-url> or use "add"/,
  );
  expect((await cli('pull', 'nope')).stderr).toMatch(/no model "nope"/);
});

it('adds files a user already has, after checking them', async () => {
  const ok = await cli('add', 'test-sam-tiny', join(MODELS, 'test-sam-tiny'));
  expect(ok.code).toBe(0);
  expect(readdirSync(join(dir, 'test-sam-tiny')).sort()).toEqual(['decoder.onnx', 'encoder.onnx']);
  const wrong = await cli('add', 'test-litemedsam-tiny', join(MODELS, 'test-sam-tiny'));
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toMatch(/test-litemedsam-tiny\/decoder\.onnx: \d+ bytes, the manifest says 5200|sha256/);
  expect(existsSync(join(dir, 'test-litemedsam-tiny', 'encoder.onnx'))).toBe(false);
});

// A test entry laid out like the real pinned ones: the fixture's bytes at a hub path and commit.
const REV = 'c0ffee0000000000000000000000000000000000';
const hubPath = (f: string) => `medlens-test/sam-tiny/resolve/${REV}/${f}`;
const tiny = (f: string) => readFileSync(join(MODELS, 'test-sam-tiny', f));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function addHubEntry(id: string, pinned: boolean): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const base = manifest.models.find((m: { id: string }) => m.id === 'test-sam-tiny');
  const files = base.files.map((f: { name: string; size: number; sha256: string }) => ({
    ...f,
    size: pinned ? f.size : null,
    sha256: pinned ? f.sha256 : null,
    url: `https://huggingface.co/${hubPath(f.name)}`,
  }));
  manifest.models.push({ ...base, id, files });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** test-sam-tiny's files where the hub would serve them at REV. */
const tinyOnHub = () => ({
  [hubPath('encoder.onnx')]: tiny('encoder.onnx'),
  [hubPath('decoder.onnx')]: tiny('decoder.onnx'),
});

const flipped = (b: Uint8Array) => {
  const copy = Uint8Array.from(b);
  copy[copy.length >> 1]! ^= 1;
  return copy;
};

it('pulls a pinned entry from a server that plays the hub: the commit path, exact size and sha256', async () => {
  addHubEntry('hub-sam-tiny', true);
  const hub = await serveHub(tinyOnHub());
  try {
    const { code, stdout } = await cli('pull', 'hub-sam-tiny', '--hub', hub.origin);
    expect(code).toBe(0);
    expect(stdout).toMatch(/hub-sam-tiny\/decoder\.onnx: downloaded, sha256 verified/);
    expect(hub.requests).toEqual([hubPath('encoder.onnx'), hubPath('decoder.onnx')]);
    expect(readFileSync(join(dir, 'hub-sam-tiny', 'decoder.onnx'))).toEqual(tiny('decoder.onnx'));
  } finally {
    await hub.close();
  }
});

it('refuses and deletes a download with one flipped byte, or of the wrong size at the real pinned path', async () => {
  addHubEntry('hub-sam-tiny', true);
  const realEncoder =
    'schmuell/sam-b-fp16/resolve/361dbbfafcba41f7a7c6075568e5fec2d7c049b1/sam_vit_b_01ec64.encoder-fp16.onnx';
  const hub = await serveHub({
    [hubPath('encoder.onnx')]: flipped(tiny('encoder.onnx')),
    [realEncoder]: new Uint8Array(16),
  });
  try {
    const bad = await cli('pull', 'hub-sam-tiny', '--hub', hub.origin);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/hub-sam-tiny\/encoder\.onnx: sha256 [0-9a-f]{64}, the manifest says ee45457c/);
    expect(readdirSync(join(dir, 'hub-sam-tiny'))).toEqual([]);
    const real = await cli('pull', 'sam-vit-b', '--hub', hub.origin);
    expect(hub.requests).toContain(realEncoder);
    expect(real.stderr).toMatch(/sam-vit-b\/encoder\.onnx: 16 bytes, the manifest says 179955678/);
    expect(readdirSync(join(dir, 'sam-vit-b'))).toEqual([]);
  } finally {
    await hub.close();
  }
});

it('records a first-use hash in the lock, prints it with pin, and refuses a changed file on the next check', async () => {
  addHubEntry('hub-first-use', false);
  const hub = await serveHub(tinyOnHub());
  try {
    const first = await cli('pull', 'hub-first-use', '--hub', hub.origin);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`encoder.onnx: downloaded, first use: sha256 ${sha(tiny('encoder.onnx'))} recorded`);
  } finally {
    await hub.close();
  }
  const lock = JSON.parse(readFileSync(join(dir, 'models.lock.json'), 'utf8'));
  expect(lock['hub-first-use']['decoder.onnx']).toEqual({ size: 5381, sha256: sha(tiny('decoder.onnx')) });
  const pin = await cli('pin', 'hub-first-use');
  expect(JSON.parse(pin.stdout).files[1]).toMatchObject({
    name: 'decoder.onnx',
    size: 5381,
    sha256: sha(tiny('decoder.onnx')),
  });
  writeFileSync(join(dir, 'hub-first-use', 'decoder.onnx'), flipped(tiny('decoder.onnx')));
  const next = await cli('pull', 'hub-first-use');
  expect(next.code).toBe(1);
  expect(next.stderr).toMatch(
    /hub-first-use\/decoder\.onnx: sha256 [0-9a-f]{64}, models\.lock\.json \(first use\) says/,
  );
  expect((await cli('pin', 'sam-vit-b-int8')).stdout).toContain('"sha256": "eb0a2db8');
  expect((await cli('pin', 'medsam-vit-b')).stderr).toMatch(/medsam-vit-b\/encoder\.onnx: not downloaded yet/);
});
