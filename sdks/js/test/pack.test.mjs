// `npm pack` makes an installable package: ESM and CJS with .d.ts, no runtime dependency, usable from
// TypeScript. Installs the tarball offline into a scratch project and imports it both ways.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SDK = join(dirname(fileURLToPath(import.meta.url)), '..');
const scratch = mkdtempSync(join(tmpdir(), 'core-php-sdk-pack-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('npm pack', () => {
  let tarball;

  it('packs dist (ESM, CJS, .d.ts) and the README, nothing else', () => {
    // dist/ is already built by the test run: no prepack rebuild here.
    const [report] = JSON.parse(run(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], SDK));
    tarball = join(scratch, report.filename);
    const files = report.files.map((f) => f.path);
    for (const wanted of [
      'package.json',
      'README.md',
      'dist/esm/index.js',
      'dist/esm/index.d.ts',
      'dist/esm/generated.d.ts',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/package.json',
    ]) {
      assert.ok(files.includes(wanted), `${wanted} is in the tarball`);
    }
    assert.deepEqual(files.filter((f) => !f.startsWith('dist/') && !['package.json', 'README.md'].includes(f)), []);
    assert.equal(report.name, '@core-php/sdk');
    const manifest = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8'));
    assert.equal(manifest.dependencies, undefined, 'zero runtime dependencies');
  });

  it('installs offline and works from import, require and TypeScript', () => {
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', tarball], scratch);
    const esm = run(
      process.execPath,
      ['--input-type=module', '-e', "import { Client, VERSION } from '@core-php/sdk'; console.log(typeof new Client('k').workspaces.create, VERSION)"],
      scratch,
    );
    assert.equal(esm.trim(), 'function 0.1.0');
    const cjs = run(
      process.execPath,
      ['--input-type=commonjs', '-e', "const { Client, NotFoundError } = require('@core-php/sdk'); console.log(typeof new Client('k').apiKeys.list, NotFoundError.name)"],
      scratch,
    );
    assert.equal(cjs.trim(), 'function NotFoundError');

    writeFileSync(
      join(scratch, 'consumer.ts'),
      `import { Client, ApiError, type WorkspaceOut, type SparseNamespace } from '@core-php/sdk';
export async function example(): Promise<string[]> {
  const client = new Client('sk_test_abc', { baseUrl: 'http://127.0.0.1:3000', maxRetries: 2 });
  const workspace = await client.workspaces.create({ name: 'My Workspace', tier: 'pro' });
  const id: string = workspace.id;
  const tier: WorkspaceOut['tier'] = workspace.tier;
  const status: number = workspace.$response.status;
  const slugs: string[] = [];
  for await (const ns of client.namespaces.list({ workspace_id: id })) slugs.push((ns satisfies SparseNamespace).slug ?? '');
  const page = await client.resources.list({ per_page: 50, 'filter[status]': 'active' });
  const next: string | null = page.meta.next_cursor;
  try { await client.resources.get('res_x'); } catch (e) { if (e instanceof ApiError) slugs.push(e.code, e.requestId ?? ''); }
  // @ts-expect-error a workspace needs a name
  await client.workspaces.create({ tier: 'pro' });
  return [...slugs, tier, String(status), String(next)];
}
`,
    );
    const require = createRequire(import.meta.url);
    const tsc = require.resolve('typescript/bin/tsc');
    run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--target', 'ES2022',
        '--module', 'NodeNext',
        '--moduleResolution', 'NodeNext',
        '--typeRoots', join(SDK, 'node_modules', '@types'),
        '--types', 'node',
        'consumer.ts',
      ],
      scratch,
    );
  });
});
