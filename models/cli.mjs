#!/usr/bin/env node
// npm run models -- list | pull <id> [--from <base-url> | --hub <hub-origin>] | add <id> <folder> | pin <id>
//
// Manages the model files a deployment carries in models/<id>/ (copied into dist/models/ by
// the build). pull downloads an entry's files from their `url` in manifest.json (the hub at a
// pinned commit; --hub swaps the origin for a mirror laid out like the hub), or from a mirror
// laid out as <base-url>/<id>/<file>; it resumes a partial download (<file>.part), checks size
// and sha256, and only then renames the file into place. An entry whose sha256 the hub did not
// publish is "first use": its first download's size and sha256 go into models.lock.json and
// every later check holds the file to them; pin prints them as manifest JSON.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  createWriteStream,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.MEDLENS_MODELS_DIR ?? fileURLToPath(new URL('.', import.meta.url));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const lockPath = join(dir, 'models.lock.json');
/** @type {Record<string, Record<string, { size: number, sha256: string }>>} */
const lock = existsSync(lockPath) ? JSON.parse(readFileSync(lockPath, 'utf8')) : {};
const HUB = 'https://huggingface.co';

class CliError extends Error {}

const mb = (n) => (n < 2 ** 20 ? `${(n / 1024).toFixed(1)} kB` : `${(n / 2 ** 20).toFixed(1)} MB`);
const label = (m) => (m.fixture ? `${m.name} (test model, random weights)` : m.name);
const present = (m) => m.files.every((f) => existsSync(join(dir, m.id, f.name)));

function entry(id) {
  const model = manifest.models.find((m) => m.id === id);
  if (!model)
    throw new CliError(
      `no model "${id}" in ${join(dir, 'manifest.json')}; known: ${manifest.models.map((m) => m.id).join(', ')}`,
    );
  return model;
}

function sha256(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The size and sha256 a file is held to: the manifest's, else the first download's (lock). */
function expected(model, file) {
  const locked = lock[model.id]?.[file.name];
  return {
    size: file.size ?? locked?.size ?? null,
    sha256: file.sha256 ?? locked?.sha256 ?? null,
    source: file.sha256 ? 'the manifest' : 'models.lock.json (first use)',
  };
}

function verify(model, file, path) {
  const want = expected(model, file);
  const size = statSync(path).size;
  if (want.size !== null && size !== want.size) {
    throw new CliError(`${model.id}/${file.name}: ${size} bytes, ${want.source} says ${want.size}`);
  }
  const hash = sha256(path);
  if (want.sha256 !== null && hash !== want.sha256) {
    throw new CliError(`${model.id}/${file.name}: sha256 ${hash}, ${want.source} says ${want.sha256}`);
  }
  return { size, sha256: hash, checked: want.sha256 !== null };
}

/** Where nothing held the file yet (first use), records what it is in the lock. */
function record(model, file, seen) {
  if (seen.checked) return;
  lock[model.id] = { ...lock[model.id], [file.name]: { size: seen.size, sha256: seen.sha256 } };
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
}

/** verify, then record on first use. */
function check(model, file, path) {
  const seen = verify(model, file, path);
  record(model, file, seen);
  return seen;
}

function list() {
  const rows = manifest.models.map((m) => {
    const bytes = m.files.reduce((n, f) => (f.size === null ? NaN : n + f.size), 0);
    return [
      m.id,
      label(m),
      Number.isNaN(bytes) ? 'unknown' : mb(bytes),
      m.licence.split(' (')[0],
      // Whether pull can fetch it, and what its files are held to.
      !m.files.every((f) => f.url) ? 'no-url' : m.files.every((f) => f.sha256) ? 'pinned' : 'first-use',
      present(m) ? 'present' : 'absent',
    ];
  });
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows)
    console.log(
      row
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

async function download(url, part, name) {
  const start = existsSync(part) ? statSync(part).size : 0;
  let response;
  try {
    response = await fetch(url, { headers: start > 0 ? { range: `bytes=${start}-` } : {} });
  } catch (error) {
    throw new CliError(
      `could not reach ${url} (offline, or the server is down): ${/** @type {any} */ (error).cause?.code ?? /** @type {Error} */ (error).message}`,
    );
  }
  if (response.status === 416) return; // the partial file is already complete
  if (!response.ok) throw new CliError(`${url}: HTTP ${response.status}`);
  const resumed = response.status === 206;
  const total = Number(response.headers.get('content-length')) + (resumed ? start : 0);
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let done = resumed ? start : 0;
  // Node's fetch body is async-iterable (the DOM typings do not say so).
  for await (const chunk of /** @type {AsyncIterable<Uint8Array>} */ (/** @type {unknown} */ (response.body))) {
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', () => r(undefined)));
    done += chunk.length;
    const pct = total ? ` ${Math.floor((100 * done) / total)}%` : '';
    process.stderr.write(`\r${name}${pct} ${mb(done)}${total ? ` / ${mb(total)}` : ''}${resumed ? ' (resumed)' : ''}`);
  }
  await /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())))
  );
  process.stderr.write('\n');
}

async function pull(id, { from, hub }) {
  const model = entry(id);
  mkdirSync(join(dir, model.id), { recursive: true });
  for (const file of model.files) {
    const target = join(dir, model.id, file.name);
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) {
      const seen = check(model, file, target);
      console.log(`${model.id}/${file.name}: present, ${seen.checked ? 'verified' : `sha256 ${seen.sha256} recorded`}`);
      continue;
    }
    let url = from ? `${from.replace(/\/$/, '')}/${model.id}/${file.name}` : file.url;
    if (!url)
      throw new CliError(`${model.id}/${file.name} has no url in the manifest: give --from <base-url> or use "add"`);
    if (hub && url.startsWith(`${HUB}/`)) url = hub.replace(/\/$/, '') + url.slice(HUB.length);
    const part = `${target}.part`;
    await download(url, part, `${model.id}/${file.name}`);
    let seen;
    try {
      seen = check(model, file, part);
    } catch (error) {
      rmSync(part, { force: true }); // a wrong file is never kept, nor resumed
      throw error;
    }
    renameSync(part, target);
    console.log(
      `${model.id}/${file.name}: downloaded, ${seen.checked ? 'sha256 verified' : `first use: sha256 ${seen.sha256} recorded in models.lock.json`}`,
    );
  }
}

/** Prints an entry's files with the sizes and hashes its first use recorded, to paste into the manifest. */
function pin(id) {
  const model = entry(id);
  const files = model.files.map((file) => {
    const want = expected(model, file);
    if (want.sha256 === null) throw new CliError(`${model.id}/${file.name}: not downloaded yet; pull it first`);
    return { ...file, size: want.size, sha256: want.sha256 };
  });
  console.log(JSON.stringify({ id: model.id, files }, null, 2));
}

function add(id, folder) {
  const model = entry(id);
  const seen = new Map();
  mkdirSync(join(dir, model.id), { recursive: true });
  for (const file of model.files) {
    const source = join(folder, file.name);
    if (!existsSync(source))
      throw new CliError(`${source} is missing (${model.id} needs ${model.files.map((f) => f.name).join(', ')})`);
    seen.set(file, verify(model, file, source));
  }
  // Only once every file checks out is any copied (or recorded); each is hashed once.
  for (const file of model.files) {
    const target = join(dir, model.id, file.name);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(folder, file.name), `${target}.part`);
    renameSync(`${target}.part`, target);
    record(model, file, seen.get(file));
    console.log(
      `${model.id}/${file.name}: added${seen.get(file).checked ? '' : `, first use: sha256 ${seen.get(file).sha256} recorded`}`,
    );
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'list') list();
  else if (command === 'pull' && args[0]) {
    const option = (name) => (args.indexOf(name) > 0 ? args[args.indexOf(name) + 1] : undefined);
    await pull(args[0], { from: option('--from'), hub: option('--hub') });
  } else if (command === 'add' && args[0] && args[1]) add(args[0], args[1]);
  else if (command === 'pin' && args[0]) pin(args[0]);
  else
    throw new CliError(
      'usage: npm run models -- list | pull <id> [--from <base-url> | --hub <hub-origin>] | add <id> <folder> | pin <id>',
    );
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  console.error(`models: ${error.message}`);
  process.exitCode = 1;
}
