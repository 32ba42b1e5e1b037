import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { order } from './support/sandbox-flow.js';
import { postForm, signed } from './support/sandbox-http.js';

// `ecpay sandbox` as users run it: the built bin (`npm test` builds first) in a child process, stopped by SIGTERM.
const BIN = resolve(process.cwd(), 'dist/cli/main.js');

interface Running {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[]): Running {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" (npm test does) before the CLI tests.`);
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function listening(running: Running): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(running.stdout());
    if (match) return match[1]!;
    if (running.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no sandbox: ${running.stdout()} ${running.stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ecpay sandbox', () => {
  let running: Running | undefined;
  afterEach(() => {
    if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
    running = undefined;
  });

  it("serves ECPay's paths for the stage merchant by default and stops cleanly on SIGTERM", async () => {
    running = run(['sandbox', '--port', '0']);
    const url = await listening(running);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.stdout()).toContain('merchants:   3002607');
    expect(running.stdout().toLowerCase()).not.toContain('pwfhcqoqzgmho4w6');
    const accepted = await postForm(
      `${url}/Cashier/AioCheckOut/V5`,
      order('CliSandbox1', 'http://127.0.0.1:9/ecpay/return'),
    );
    expect(accepted.status).toBe(302);
    running.child.kill('SIGTERM');
    expect(await running.exit).toBe(0);
    expect(running.stdout()).toContain('ECPay sandbox stopped.');
  }, 20_000);

  it('takes its merchants from --merchant id:key:iv (repeatable) and refuses others', async () => {
    running = run([
      'sandbox',
      '--port',
      '0',
      '--merchant',
      '2000132:5294y06JbISpM5x9:v77hoKGq4kWxNNIS',
      '--merchant',
      '3002599:spPjZn66i0OhqJsQ:hT5OJckN45isQTTs',
    ]);
    const url = await listening(running);
    expect(running.stdout()).toContain('merchants:   2000132, 3002599');
    const keys = { hashKey: '5294y06JbISpM5x9', hashIv: 'v77hoKGq4kWxNNIS' };
    const fields = signed({ ...order('CliSandbox2', 'http://127.0.0.1:9/r'), MerchantID: '2000132' }, keys);
    expect((await postForm(`${url}/Cashier/AioCheckOut/V5`, fields)).status).toBe(302);
    const stage = await postForm(`${url}/Cashier/AioCheckOut/V5`, order('CliSandbox3', 'http://127.0.0.1:9/r'), {
      Accept: 'text/plain',
    });
    expect(await stage.text()).toMatch(/^10200141\|/);
    running.child.kill('SIGINT');
    expect(await running.exit).toBe(0);
  }, 20_000);

  it.each([
    [['sandbox', '--merchant', '2000132:onlykey'], '--merchant must be <id>:<hashKey>:<hashIv>'],
    [
      ['sandbox', '--merchant', '2000132:short:v77hoKGq4kWxNNIS'],
      'sandbox.merchants[0].hashKey: must be exactly 16 characters',
    ],
    [['sandbox', '--port', '70000'], '--port must be a port number'],
    [['sandbox', '--hash-key', 'pwFHCqoQZGmho4w6'], 'sandbox takes merchants as --merchant'],
    [['sandbox', '--md5'], '--md5 does not apply to "sandbox"'],
    [['checkmac', '--port', '1'], '--port does not apply to "checkmac"'],
  ])(
    '%j → exit 2 with "%s"',
    async (args, message) => {
      running = run(args as string[]);
      expect(await running.exit).toBe(2);
      expect(running.stderr()).toContain(message);
      expect(running.stderr()).not.toContain('short:v77hoKGq4kWxNNIS');
    },
    20_000,
  );
});
