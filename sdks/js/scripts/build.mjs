#!/usr/bin/env node
// Compiles src/ twice with the pinned TypeScript: ESM (dist/esm) and CommonJS (dist/cjs), each with .d.ts.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SDK = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(join(SDK, 'dist'), { recursive: true, force: true });
for (const project of ['tsconfig.json', 'tsconfig.cjs.json']) {
  try {
    execFileSync(process.execPath, [tsc, '-p', join(SDK, project)], { stdio: 'inherit', cwd: SDK });
  } catch (error) {
    console.error(`tsc -p ${project} failed`);
    process.exit(error.status || 1);
  }
}
// Each half says which module system its .js files use, whatever the package's "type" is.
mkdirSync(join(SDK, 'dist', 'cjs'), { recursive: true });
writeFileSync(join(SDK, 'dist', 'cjs', 'package.json'), '{\n  "type": "commonjs"\n}\n');
writeFileSync(join(SDK, 'dist', 'esm', 'package.json'), '{\n  "type": "module"\n}\n');
console.log('built dist/esm and dist/cjs');
