#!/usr/bin/env node
// npm run models -- list | pull <id> [--from <base-url>] | add <id> <folder>
//
// Manages the model files a deployment carries in models/<id>/ (copied into dist/models/ by
// the build). pull downloads an entry's files from their `url` in manifest.json, or from a
// mirror laid out as <base-url>/<id>/<file>; it resumes a partial download (<file>.part),
// checks size and sha256, and only then renames the file into place.
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
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.env.MEDLENS_MODELS_DIR ?? fileURLToPath(new URL('.', import.meta.url));
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

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

function verify(model, file, path) {
  const size = statSync(path).size;
  if (file.size !== null && size !== file.size) {
    throw new CliError(`${model.id}/${file.name}: ${size} bytes, the manifest says ${file.size}`);
  }
  const hash = sha256(path);
  if (file.sha256 !== null && hash !== file.sha256) {
    throw new CliError(`${model.id}/${file.name}: sha256 ${hash}, the manifest says ${file.sha256}`);
  }
  return file.sha256 !== null;
}

function list() {
  const rows = manifest.models.map((m) => {
    const bytes = m.files.reduce((n, f) => (f.size === null ? NaN : n + f.size), 0);
    return [
      m.id,
      label(m),
      Number.isNaN(bytes) ? 'unknown' : mb(bytes),
      m.licence.split(' (')[0],
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

async function pull(id, from) {
  const model = entry(id);
  mkdirSync(join(dir, model.id), { recursive: true });
  for (const file of model.files) {
    const target = join(dir, model.id, file.name);
    mkdirSync(dirname(target), { recursive: true });
    if (existsSync(target)) {
      verify(model, file, target);
      console.log(`${model.id}/${file.name}: present, verified`);
      continue;
    }
    const url = from ? `${from.replace(/\/$/, '')}/${model.id}/${file.name}` : file.url;
    if (!url)
      throw new CliError(`${model.id}/${file.name} has no url in the manifest: give --from <base-url> or use "add"`);
    const part = `${target}.part`;
    await download(url, part, `${model.id}/${file.name}`);
    try {
      verify(model, file, part);
    } catch (error) {
      rmSync(part, { force: true }); // a wrong file is never kept, nor resumed
      throw error;
    }
    renameSync(part, target);
    console.log(
      `${model.id}/${file.name}: downloaded, ${file.sha256 ? 'sha256 verified' : 'no sha256 in the manifest (unverified)'}`,
    );
  }
}

function add(id, folder) {
  const model = entry(id);
  mkdirSync(join(dir, model.id), { recursive: true });
  for (const file of model.files) {
    const source = join(folder, file.name);
    if (!existsSync(source))
      throw new CliError(`${source} is missing (${model.id} needs ${model.files.map((f) => f.name).join(', ')})`);
    verify(model, file, source);
  }
  for (const file of model.files) {
    const target = join(dir, model.id, file.name);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(join(folder, file.name), `${target}.part`);
    renameSync(`${target}.part`, target);
    console.log(`${model.id}/${file.name}: added`);
  }
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'list') list();
  else if (command === 'pull' && args[0]) {
    const at = args.indexOf('--from');
    await pull(args[0], at > 0 ? args[at + 1] : undefined);
  } else if (command === 'add' && args[0] && args[1]) add(args[0], args[1]);
  else throw new CliError('usage: npm run models -- list | pull <id> [--from <base-url>] | add <id> <folder>');
} catch (error) {
  if (!(error instanceof CliError)) throw error;
  console.error(`models: ${error.message}`);
  process.exitCode = 1;
}
