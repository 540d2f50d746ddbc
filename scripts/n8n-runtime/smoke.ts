/**
 * Manual end-to-end proof of the runtime: `npx tsx scripts/n8n-runtime/smoke.ts [--custom]`.
 *
 * Installs (no-op when present), generates the fixture package in a temp dir with NO
 * node_modules, starts n8n with it, creates a credential + a webhook-triggered workflow
 * (fixture trigger -> Code node), publishes it, calls the webhook in several ways, reads the
 * executions and stops n8n. Prints startup time and memory.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { FIXTURE_PACKAGE_NAME, fixtureWorkflow, writeFixturePackage } from './fixture';
import { installN8n, N8nApi, startN8n, type N8nInstance } from './index';

const log = (s: string) => console.log(`[smoke] ${s}`);

function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new Error(`ASSERTION FAILED: ${msg}`);
}

function rssMb(pid: number): number {
  // resident memory of the whole process group (n8n + task runner)
  const out = execFileSync('ps', ['-o', 'rss=', '-g', String(pid)], { encoding: 'utf8' });
  return Math.round(out.split('\n').filter(Boolean).reduce((a, l) => a + Number(l.trim()), 0) / 1024);
}

async function main(): Promise<void> {
  const custom = process.argv.includes('--custom');
  const t0 = Date.now();
  await installN8n({ log });
  log(`install check took ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'n8n-smoke-'));
  const pkgDir = writeFixturePackage(path.join(tmp, 'pkg'));
  let n8n: N8nInstance | undefined;
  try {
    n8n = await startN8n({
      extensionsDir: pkgDir,
      extensionMode: custom ? 'custom' : 'package',
      log,
      // 1 MiB body limit so we can prove the limit cheaply (default is 16 MiB)
      env: { N8N_PAYLOAD_SIZE_MAX: '1' },
    });
    log(`startup: ${n8n.startupSeconds.toFixed(1)}s to healthy+ready; RSS after start ${rssMb(n8n.pid)} MB`);
    const { api } = n8n;

    const nodeType = custom ? 'CUSTOM.fixtureTrigger' : `${FIXTURE_PACKAGE_NAME}.fixtureTrigger`;
    const credId = await api.createCredential('fixtureApi', 'Fixture creds', { token: 's3cret' });
    const wfId = await api.createWorkflow(fixtureWorkflow(nodeType, 'Fixture creds') as never);
    log(`credential ${credId}, workflow ${wfId} (${nodeType})`);
    const ta = Date.now();
    await api.activateWorkflow(wfId);
    log(`published in ${Date.now() - ta} ms`);

    const hook = `${n8n.baseUrl}/webhook/0b3a4a1e-0000-4000-8000-0000000000aa/fixture`;
    const post = async (body: string, query = '', ct = 'application/json') => {
      const r = await fetch(hook + query, { method: 'POST', headers: { 'content-type': ct }, body });
      return { status: r.status, text: await r.text() };
    };

    const ok = await post('{"hello":"world"}');
    log(`valid JSON -> ${ok.status} ${ok.text}`);
    assert(ok.status === 200, 'valid webhook call answers 200');

    const own = await post('{"hello":"own"}', '?own=1');
    log(`own response (noWebhookResponse) -> ${own.status} ${own.text}`);

    const bad = await post('{"hello": broken', '');
    log(`malformed JSON -> ${bad.status} ${bad.text.slice(0, 200)}`);

    const big = await post(JSON.stringify({ hello: 'x'.repeat(2 * 1024 * 1024) }));
    log(`2 MiB body with N8N_PAYLOAD_SIZE_MAX=1 -> ${big.status} ${big.text.slice(0, 200)}`);

    const expected = 1 + (own.status < 300 ? 1 : 0) + (bad.status < 300 ? 1 : 0);
    const execs = await api.waitForExecutions(wfId, expected, 30_000);
    log(`executions: ${execs.map((e) => `${e.id}:${e.status}`).join(', ')}`);
    for (const e of execs) {
      const full = await api.getExecution(e.id);
      const trig = N8nApi.nodeOutput(full, 'Fixture Trigger');
      const code = N8nApi.nodeOutput(full, 'Code');
      log(`execution ${e.id} trigger output: ${JSON.stringify(trig)}`);
      log(`execution ${e.id} Code output viaCode=${String(code[0]?.viaCode)} status=${full.status}`);
      assert(full.status === 'success', `execution ${e.id} succeeded`);
      assert(code[0]?.viaCode === true, 'Code node (task runner) ran');
    }
    const first = N8nApi.nodeOutput(await api.getExecution(execs[0].id), 'Fixture Trigger')[0];
    assert(first.zodOk === true && first.lodashOk === true, 'zod/lodash/luxon resolved from the extension');

    log(`RSS after executions ${rssMb(n8n.pid)} MB`);
    await api.deleteWorkflow(wfId);
    log('workflow unpublished, archived and deleted');

    const tr = Date.now();
    await n8n.restart();
    log(`restart on same user folder: ${n8n.startupSeconds.toFixed(1)}s (total ${((Date.now() - tr) / 1000).toFixed(1)}s incl. stop)`);
    const again = await n8n.api.listCredentials();
    assert(again.some((c) => c.id === credId), 'credential survived restart (encryption key stable)');
  } catch (e) {
    if (n8n) console.error(`--- last n8n log lines ---\n${n8n.logTail(60)}`);
    throw e;
  } finally {
    const ts = Date.now();
    await n8n?.stop();
    log(`stopped in ${Date.now() - ts} ms`);
    rmSync(tmp, { recursive: true, force: true });
  }
  log('SMOKE OK');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
