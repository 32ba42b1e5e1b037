#!/usr/bin/env node
// The `ecpay` command: what a merchant reaches for when ECPay answers 10200073 (CheckMacValue error).
import { text } from 'node:stream/consumers';
import { runCli } from './run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  readStdin: () => text(process.stdin),
  stdout: (chunk) => void process.stdout.write(chunk),
  stderr: (chunk) => void process.stderr.write(chunk),
  env: process.env,
});
