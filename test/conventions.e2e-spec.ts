import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// scripts/check-conventions.mjs guards the layout in `npm run lint`; a guard that never fails guards nothing, so it is
// run (as lint runs it, a child process) over a small tree that follows the conventions, then with one broken.
const SCRIPT = resolve(process.cwd(), 'scripts/check-conventions.mjs');

const FOLLOWING: Record<string, string> = {
  'src/index.ts': "export * from './ecpay.module.js';\nexport * from './cards/index.js';\n",
  'src/ecpay.module.ts': 'export class EcpayModule {}\n',
  'src/cards/index.ts': "export { EcpayCardsService } from './ecpay-cards.service.js';\n",
  'src/cards/ecpay-cards.service.ts': 'export class EcpayCardsService {}\n',
  'src/cards/ecpay-cards.service.spec.ts': '',
  'src/cli/main.ts': '',
  'test/public-api.spec.ts': '',
  'test/cards/cards.e2e-spec.ts': '',
};

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function check(changes: Record<string, string | null> = {}): { code: number | null; stderr: string } {
  root = mkdtempSync(join(tmpdir(), 'ecpay-conventions-'));
  for (const [path, text] of Object.entries({ ...FOLLOWING, ...changes })) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [SCRIPT, root], { encoding: 'utf8' });
  return { code: run.status, stderr: run.stderr };
}

describe('scripts/check-conventions.mjs', () => {
  it('passes a tree that follows the conventions, and this repository', () => {
    expect(check()).toEqual({ code: 0, stderr: '' });
    expect(spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' }).status).toBe(0);
  });

  it('fails when a concern folder has no barrel', () => {
    const { code, stderr } = check({ 'src/checkout/checkout-form.ts': '' });
    expect(code).toBe(1);
    expect(stderr).toContain('src/checkout/ has no index.ts');
  });

  it('fails when src/index.ts exports a file that is not a barrel', () => {
    const { code, stderr } = check({
      'src/index.ts': `${FOLLOWING['src/index.ts']}export * from './cards/ecpay-cards.service.js';\n`,
    });
    expect(code).toBe(1);
    expect(stderr).toContain("src/index.ts exports from './cards/ecpay-cards.service.js'");
  });

  it('fails when a unit spec sits in a test/ subfolder, or an e2e spec in src/', () => {
    const { code, stderr } = check({
      'test/cards/ecpay-cards.service.spec.ts': '',
      'src/cards/cards.e2e-spec.ts': '',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('test/cards/ecpay-cards.service.spec.ts is a unit spec in a test/ subfolder');
    expect(stderr).toContain('src/cards/cards.e2e-spec.ts is an e2e spec in src/');
  });
});
