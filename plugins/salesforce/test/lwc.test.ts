/**
 * The components' Jest tests (@salesforce/sfdx-lwc-jest) inside `npm test`: jest runs in a
 * child process in the SFDX project, bounded by a timeout, and its report is the failure
 * message when a test fails.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { PROJECT } from './metadata.ts';

const TIMEOUT_MS = 120_000;
const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('@salesforce/sfdx-lwc-jest/package.json')), 'bin/sfdx-lwc-jest');

test('the Lightning Web Components pass their Jest tests', { timeout: TIMEOUT_MS + 10_000 }, async () => {
  const { code, json, output } = await new Promise<{ code: number | null; json: string; output: string }>((resolve, reject) => {
    // --ci: no snapshot is written; --json: the counts below come from jest itself (on stdout, its report on stderr).
    const child = spawn(process.execPath, [bin, '--', '--ci', '--json'], {
      cwd: PROJECT,
      env: { ...process.env, CI: 'true', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let json = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => (json += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`jest did not finish in ${TIMEOUT_MS / 1000} s:\n${output}`));
    }, TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, json, output });
    });
  });
  assert.equal(code, 0, output);
  const { numPassedTests, numFailedTests, numTotalTestSuites } = JSON.parse(json) as {
    numPassedTests: number;
    numFailedTests: number;
    numTotalTestSuites: number;
  };
  assert.equal(numFailedTests, 0, output);
  assert.equal(numTotalTestSuites, 2, 'both components are tested');
  assert.ok(numPassedTests >= 9, `${numPassedTests} tests passed`);
});
