/**
 * tsx scripts/n8n-runtime/cli.ts install
 * tsx scripts/n8n-runtime/cli.ts lock      (rewrite ./lock after a version bump)
 * tsx scripts/n8n-runtime/cli.ts start --extensions <dir> [--port 5678] [--user-folder <dir>]
 *                                      [--custom] [--log-level debug]
 *
 * `start` installs if needed, starts n8n with our package, sets up the owner account,
 * prints the URL and login, and stays until Ctrl-C / SIGTERM, then stops n8n cleanly.
 */
import path from 'node:path';

import { installN8n, N8N_VERSION, OWNER_FILE, REPO_ROOT, startN8n, writeRuntimeLock } from './index';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (s: string) => console.log(`[n8n-runtime] ${s}`);

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd === 'install') {
    const r = await installN8n({ log });
    log(`ready: node ${r.nodeBin}, n8n ${r.n8nBin}`);
    return;
  }
  if (cmd === 'lock') {
    writeRuntimeLock({ log });
    return;
  }
  if (cmd !== 'start') {
    console.error('usage: cli.ts install | lock | start --extensions <dir> [--port 5678] [--user-folder <dir>] [--custom] [--log-level info]');
    process.exit(2);
  }

  await installN8n({ log });
  const userFolder = arg('user-folder') ?? path.join(REPO_ROOT, '.cache', 'n8n-user');
  const n8n = await startN8n({
    extensionsDir: arg('extensions') ?? REPO_ROOT,
    extensionMode: process.argv.includes('--custom') ? 'custom' : 'package',
    port: Number(arg('port') ?? 0),
    userFolder,
    logLevel: (arg('log-level') as 'info' | undefined) ?? 'info',
    log,
  });
  console.log(
    [
      '',
      `  n8n ${N8N_VERSION} is running: ${n8n.baseUrl}`,
      `  login:    ${n8n.owner.email}`,
      `  password: ${n8n.owner.password}`,
      `  (stored in ${path.join(n8n.userFolder, OWNER_FILE)}; log: ${n8n.logFile})`,
      `  started in ${n8n.startupSeconds.toFixed(1)}s. Press Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log(`${sig}: stopping n8n...`);
    await n8n.stop();
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  // keep alive
  setInterval(() => undefined, 1 << 30);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
