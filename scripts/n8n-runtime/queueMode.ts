/**
 * n8n in queue mode ("scaling mode"): one main + N workers on a throwaway Postgres and Redis that
 * this module starts itself, from Debian's packages (postgresql-15, redis-server).
 *
 *   const n8n = await startQueueModeN8n({ extensionsDir: REPO_ROOT, workers: 2 });
 *   ... n8n.api (owner session on the main), n8n.kill(), n8n.restart(), n8n.stop()
 *
 * The result is an `N8nInstance` (same fields as startN8n's) plus the queue-mode parts (workers,
 * Postgres, Redis, `psql`). What n8n 2.40.7 does in this mode (read in its dist/ sources):
 *  - main (`n8n start`, EXECUTIONS_MODE=queue) receives webhooks, runs the trigger's webhook()
 *    (our signature check) and enqueues a Bull job per execution in Redis (scaling/scaling.service.js
 *    "Enqueued execution X (job Y)"); it never runs production executions itself
 *    (workflow-runner.js: shouldEnqueue = mode === 'queue' && executionMode !== 'manual').
 *  - each worker (`n8n worker`) takes jobs (scaling/job-processor.js logs "Worker started
 *    execution X (job Y)"), runs the whole execution, sub-workflows (Execute Workflow) included,
 *    in its own process, with its own internal task runner (own N8N_RUNNERS_BROKER_PORT).
 *  - Wait nodes: waits < 65 s stay in memory in the worker's execution; longer waits are saved
 *    `waiting` in Postgres and the main's WaitTracker (leader only) resumes them by enqueuing a job.
 *  - Data tables (modules/data-table, no instanceTypes restriction) live in Postgres and are used
 *    by workers; updates are one UPDATE ... WHERE ... RETURNING (data-table-rows.repository.js).
 *  - OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS only moves *manual* (editor) executions to workers;
 *    webhook/trigger executions go to workers regardless, so it does not matter here (left unset).
 *  - N8N_CONCURRENCY_PRODUCTION_LIMIT is ignored on a queue-mode main (concurrency-control
 *    disabled) and would override a worker's --concurrency; we use --concurrency instead.
 *  - binary data defaults to `database` in queue mode (n8n-core binary-data.config.js).
 *
 * Postgres refuses to run as root: when we are root, initdb/postgres run as the `postgres` user
 * (Debian's package creates it) in a temp dir owned by it; otherwise as the current user.
 * Postgres listens on 127.0.0.1 only (plus a unix socket in its temp dir), trust auth, fsync off
 * (a throwaway test database: what is tested is n8n dying, not the database host).
 * Redis: 127.0.0.1 only, no RDB/AOF persistence.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	chownSync,
	closeSync,
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readdirSync,
	readFileSync,
	rmSync,
	type WriteStream,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
	buildN8nEnv,
	getFreePort,
	installPackageIntoUserFolder,
	N8N_BIN,
	N8N_VERSION,
	NODE_BIN,
	startN8n,
	trackProcessGroup,
	untrackProcessGroup,
	type N8nInstance,
} from './index';

type Log = (s: string) => void;
const noop: Log = () => undefined;
const sleep = async (ms: number) => await new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Debian packages
// ---------------------------------------------------------------------------

/** The newest /usr/lib/postgresql/<v>/bin that has initdb, or the dir of `initdb` on PATH. */
export function findPostgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (existsSync(root)) {
		const versions = readdirSync(root)
			.filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(root, versions[0], 'bin');
	}
	const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
	return which.status === 0 && which.stdout.trim() ? path.dirname(which.stdout.trim()) : undefined;
}

export function findRedisServer(): string | undefined {
	for (const p of ['/usr/bin/redis-server', '/usr/local/bin/redis-server'])
		if (existsSync(p)) return p;
	const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : undefined;
}

function version(cmd: string, args: string[]): string {
	const r = spawnSync(cmd, args, { encoding: 'utf8' });
	return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n')[0];
}

export interface QueueModeDeps {
	postgresBinDir: string;
	postgresVersion: string;
	redisServer: string;
	redisVersion: string;
	/** Debian packages this call installed (empty when everything was there). */
	installed: string[];
}

/**
 * Makes sure Postgres and Redis binaries exist: when one is missing, installs Debian's package
 * (`apt-get update && apt-get install -y --no-install-recommends postgresql redis-server`), which
 * needs root and apt. Throws with the reason when it cannot (never skips).
 * CLI: `npx tsx scripts/n8n-runtime/queueMode.ts install-deps`.
 */
export function ensureQueueModeDeps(opts: { log?: Log } = {}): QueueModeDeps {
	const log = opts.log ?? noop;
	const missing: string[] = [];
	if (!findPostgresBinDir()) missing.push('postgresql');
	if (!findRedisServer()) missing.push('redis-server');
	if (missing.length) {
		const isRoot = process.getuid?.() === 0;
		const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).status === 0;
		if (!isRoot || !hasApt) {
			throw new Error(
				`queue mode needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed, and ` +
					`${!hasApt ? 'apt-get is not available' : 'this process is not root'}; install Debian's ${missing.join(' ')} package(s)`,
			);
		}
		log(`Installing Debian packages: ${missing.join(' ')}`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...missing]]) {
			const r = spawnSync('apt-get', args, {
				env,
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'pipe'],
			});
			if (r.status !== 0) {
				throw new Error(
					`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20).join('\n')}`,
				);
			}
		}
	}
	const postgresBinDir = findPostgresBinDir();
	const redisServer = findRedisServer();
	if (!postgresBinDir || !redisServer)
		throw new Error(
			`after apt-get install: postgres bin dir ${postgresBinDir}, redis-server ${redisServer}`,
		);
	return {
		postgresBinDir,
		postgresVersion: version(path.join(postgresBinDir, 'postgres'), ['--version']),
		redisServer,
		redisVersion: version(redisServer, ['--version']),
		installed: missing,
	};
}

// ---------------------------------------------------------------------------
// processes
// ---------------------------------------------------------------------------

interface Proc {
	child: ChildProcess;
	exited: Promise<void>;
	exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
}

/** Spawn detached (own process group, registered for the exit hook). */
function spawnGroup(
	cmd: string,
	args: string[],
	o: {
		cwd: string;
		env: NodeJS.ProcessEnv;
		uid?: number;
		gid?: number;
		logFd?: number;
		onData?: (b: Buffer) => void;
	},
): Proc {
	const child = spawn(cmd, args, {
		cwd: o.cwd,
		env: o.env,
		detached: true,
		uid: o.uid,
		gid: o.gid,
		stdio: o.logFd !== undefined ? ['ignore', o.logFd, o.logFd] : ['ignore', 'pipe', 'pipe'],
	});
	if (child.pid) trackProcessGroup(child.pid);
	if (o.onData) {
		child.stdout?.on('data', o.onData);
		child.stderr?.on('data', o.onData);
	}
	const proc: Proc = { child, exited: Promise.resolve() };
	proc.exited = new Promise<void>((resolve) => {
		child.on('exit', (code, signal) => {
			proc.exitInfo = { code, signal };
			if (child.pid) untrackProcessGroup(child.pid);
			resolve();
		});
		child.on('error', () => resolve());
	});
	return proc;
}

function signalGroup(proc: Proc | undefined, signal: NodeJS.Signals): void {
	if (!proc?.child.pid || proc.exitInfo) return;
	try {
		process.kill(-proc.child.pid, signal);
	} catch {
		/* gone */
	}
}

async function stopGroup(
	proc: Proc | undefined,
	signal: NodeJS.Signals,
	graceMs: number,
): Promise<void> {
	if (!proc || proc.exitInfo) return;
	signalGroup(proc, signal);
	let timer: NodeJS.Timeout | undefined;
	const done = await Promise.race([
		proc.exited.then(() => true),
		new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
	]);
	clearTimeout(timer);
	if (!done) {
		signalGroup(proc, 'SIGKILL');
		await proc.exited;
	}
	try {
		if (proc.child.pid) process.kill(-proc.child.pid, 'SIGKILL'); // anything left in the group
	} catch {
		/* group empty */
	}
}

async function httpOk(url: string): Promise<boolean> {
	try {
		const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
		await res.arrayBuffer();
		return res.ok;
	} catch {
		return false;
	}
}

async function redisPing(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let data = '';
		const done = (ok: boolean) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(2000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (b) => {
			data += b.toString();
			if (data.includes('\r\n')) done(data.startsWith('+PONG'));
		});
	});
}

// ---------------------------------------------------------------------------
// Postgres
// ---------------------------------------------------------------------------

export interface PostgresServer {
	port: number;
	database: string;
	user: string;
	dataDir: string;
	logFile: string;
	version: string;
	/** Runs SQL with psql (unaligned, tab-separated, no header); returns the rows. */
	psql(sql: string): string[][];
	stop(): Promise<void>;
}

function postgresUser(): { uid?: number; gid?: number; name: string } {
	if (process.getuid?.() !== 0) return { name: os.userInfo().username };
	const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
	const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
	if (uid.status !== 0 || gid.status !== 0) {
		throw new Error(
			"running as root and there is no `postgres` user to run Postgres as (Postgres refuses to run as root); install Debian's postgresql package",
		);
	}
	return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: 'postgres' };
}

export async function startPostgres(opts: {
	binDir: string;
	log?: Log;
	timeoutMs?: number;
}): Promise<PostgresServer> {
	const log = opts.log ?? noop;
	const who = postgresUser();
	const root = mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-pg-'));
	const dataDir = path.join(root, 'data');
	const logFile = path.join(root, 'postgres.log');
	const user = 'n8n';
	const database = 'n8n';
	const asUser = { uid: who.uid, gid: who.gid };
	if (who.uid !== undefined) chownSync(root, who.uid, who.gid!);
	const bin = (name: string) => path.join(opts.binDir, name);
	const env = {
		PATH: process.env.PATH ?? '/usr/bin:/bin',
		LANG: 'C.UTF-8',
		LC_ALL: 'C.UTF-8',
		HOME: root,
	};

	const initdb = spawnSync(
		bin('initdb'),
		['-D', dataDir, '-U', user, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
		{ cwd: root, env, ...asUser, encoding: 'utf8' },
	);
	if (initdb.status !== 0) {
		rmSync(root, { recursive: true, force: true });
		throw new Error(
			`initdb (as ${who.name}) failed (${initdb.error ? initdb.error.message : `exit ${initdb.status ?? initdb.signal}`}): ${`${initdb.stdout ?? ''}\n${initdb.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n')}`,
		);
	}
	const port = await getFreePort();
	const fd = openSync(logFile, 'a');
	if (who.uid !== undefined) chownSync(logFile, who.uid, who.gid!);
	const args = [
		'-D',
		dataDir,
		'-p',
		String(port),
		'-k',
		root,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=100',
	];
	const t0 = Date.now();
	log(
		`Starting Postgres (${bin('postgres')}) as ${who.name} on 127.0.0.1:${port}, data ${dataDir}`,
	);
	const proc = spawnGroup(bin('postgres'), args, { cwd: root, env, ...asUser, logFd: fd });
	closeSync(fd);

	const psqlRaw = (db: string, sql: string) =>
		spawnSync(
			bin('psql'),
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				user,
				'-d',
				db,
				'-v',
				'ON_ERROR_STOP=1',
				'-A',
				'-t',
				'-F',
				'\t',
				'-c',
				sql,
			],
			{ env, encoding: 'utf8' },
		);
	const deadline = t0 + (opts.timeoutMs ?? 60_000);
	for (;;) {
		if (proc.exitInfo) break;
		if (psqlRaw('postgres', 'select 1').status === 0) break;
		if (Date.now() > deadline) break;
		await sleep(250);
	}
	const tail = () =>
		existsSync(logFile)
			? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n')
			: '';
	const stop = async () => {
		await stopGroup(proc, 'SIGINT', 15_000); // SIGINT = Postgres "fast" shutdown
		rmSync(root, { recursive: true, force: true });
	};
	if (psqlRaw('postgres', 'select 1').status !== 0) {
		await stop();
		throw new Error(
			`Postgres did not accept connections on 127.0.0.1:${port} (${proc.exitInfo ? `exited ${JSON.stringify(proc.exitInfo)}` : 'timeout'}):\n${tail()}`,
		);
	}
	const created = psqlRaw('postgres', `CREATE DATABASE ${database}`);
	if (created.status !== 0) {
		await stop();
		throw new Error(`CREATE DATABASE failed: ${created.stderr}`);
	}
	log(`Postgres ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return {
		port,
		database,
		user,
		dataDir,
		logFile,
		version: psqlRaw('postgres', 'show server_version').stdout.trim(),
		psql(sql: string): string[][] {
			const r = psqlRaw(database, sql);
			if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
			return r.stdout
				.split('\n')
				.filter((l) => l.length)
				.map((l) => l.split('\t'));
		},
		stop,
	};
}

// ---------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------

export interface RedisServer {
	port: number;
	logFile: string;
	version: string;
	stop(): Promise<void>;
}

export async function startRedis(opts: {
	redisServer: string;
	log?: Log;
	timeoutMs?: number;
}): Promise<RedisServer> {
	const log = opts.log ?? noop;
	const dir = mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-redis-'));
	const logFile = path.join(dir, 'redis.log');
	const port = await getFreePort();
	const fd = openSync(logFile, 'a');
	log(`Starting Redis (${opts.redisServer}) on 127.0.0.1:${port}`);
	const t0 = Date.now();
	const proc = spawnGroup(
		opts.redisServer,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--protected-mode',
			'yes',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
			'--loglevel',
			'notice',
		],
		{ cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, logFd: fd },
	);
	closeSync(fd);
	const stop = async () => {
		await stopGroup(proc, 'SIGTERM', 10_000);
		rmSync(dir, { recursive: true, force: true });
	};
	const deadline = t0 + (opts.timeoutMs ?? 30_000);
	while (!(await redisPing(port))) {
		if (proc.exitInfo || Date.now() > deadline) {
			const tail = existsSync(logFile)
				? readFileSync(logFile, 'utf8').trim().split('\n').slice(-15).join('\n')
				: '';
			await stop();
			throw new Error(
				`Redis did not answer PING on 127.0.0.1:${port} (${proc.exitInfo ? `exited ${JSON.stringify(proc.exitInfo)}` : 'timeout'}):\n${tail}`,
			);
		}
		await sleep(100);
	}
	log(`Redis ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return { port, logFile, version: version(opts.redisServer, ['--version']), stop };
}

// ---------------------------------------------------------------------------
// n8n main + workers
// ---------------------------------------------------------------------------

export interface QueueModeOptions {
	/** Our built package dir (package.json + dist), installed into main's and every worker's user folder. */
	extensionsDir: string;
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** Each worker's --concurrency (default 10; n8n warns below 5). */
	workerConcurrency?: number;
	/** Extra env for main and workers. */
	env?: Record<string, string>;
	logLevel?: 'error' | 'warn' | 'info' | 'debug';
	/** Per-process readiness timeout (default 300 s). */
	startTimeoutMs?: number;
	log?: Log;
}

export interface QueueWorker {
	index: number;
	userFolder: string;
	logFile: string;
	healthPort: number;
	readonly pid: number;
	startupSeconds: number;
}

export interface QueueModeN8n extends N8nInstance {
	mode: 'queue';
	workers: QueueWorker[];
	postgres: PostgresServer;
	redis: RedisServer;
	/** Env shared by main and workers (DB, Redis, encryption key...), for reports. */
	sharedEnv: Record<string, string>;
	/** Seconds: Postgres, Redis, main, workers (the slowest), and all of it. */
	timings: { postgres: number; redis: number; main: number; workers: number; total: number };
	/** Execution ids each worker logged as "Worker started execution <id>" (index = worker). */
	workerExecutions(): string[][];
	/** Crash simulation for the workers alone: SIGKILL every worker; main, Postgres and Redis keep running. */
	killWorkers(): Promise<void>;
	/** Start the workers again (after killWorkers()); resolves when each is ready. */
	restartWorkers(): Promise<void>;
	versions: { n8n: string; postgres: string; redis: string };
}

/**
 * Makes Postgres enforce one `resort_journeys` row per booking and one `resort_guests` row per
 * guest key (scripts/postgres/resort-unique-keys.sql, what docs/queue-mode.md asks an agency to
 * run once): without it, concurrent upserts on two workers can create two rows for one booking.
 * Call it after the Data tables exist. Returns the unique indexes now on those tables.
 */
export function applyResortUniqueKeys(postgres: Pick<PostgresServer, 'psql'>): string[] {
	postgres.psql(readFileSync(path.join(__dirname, '..', 'postgres', 'resort-unique-keys.sql'), 'utf8'));
	return postgres
		.psql("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'resort\\_unique\\_%' ORDER BY 1")
		.map((row) => row[0]);
}

export async function startQueueModeN8n(opts: QueueModeOptions): Promise<QueueModeN8n> {
	const log = opts.log ?? noop;
	const tStart = Date.now();
	const deps = ensureQueueModeDeps({ log });
	const cleanups: Array<() => Promise<void>> = [];
	const cleanup = async () => {
		const steps = cleanups.splice(0).reverse();
		for (const step of steps) await step().catch(() => undefined);
	};
	try {
		let t = Date.now();
		const postgres = await startPostgres({ binDir: deps.postgresBinDir, log });
		cleanups.push(() => postgres.stop());
		const postgresSeconds = (Date.now() - t) / 1000;
		t = Date.now();
		const redis = await startRedis({ redisServer: deps.redisServer, log });
		cleanups.push(() => redis.stop());
		const redisSeconds = (Date.now() - t) / 1000;

		const sharedEnv: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			N8N_ENCRYPTION_KEY: randomBytes(24).toString('hex'),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: postgres.database,
			DB_POSTGRESDB_USER: postgres.user,
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// As the e2e globalSetup: slow DB pings on a shared machine must not mark n8n unhealthy.
			DB_PING_TIMEOUT_MS: '60000',
			// n8n's default pool is 2 connections per process; a worker running 10 executions at once
			// then waits for one, and after DB_POSTGRESDB_CONNECTION_TIMEOUT (20 s) the execution fails
			// ("timeout exceeded when trying to connect": 14 status webhooks in a reduced storm on
			// 2 Dec 2026). One connection per concurrent execution (docs/queue-mode.md).
			DB_POSTGRESDB_POOL_SIZE: String(opts.workerConcurrency ?? 10),
			// Minutes. An execution whose worker died stays `running` until the main's queue recovery
			// finds it has no job and marks it `crashed` (then journey-recovery replays it). n8n checks
			// every 180 min by default; docs/queue-mode.md asks for 5 in production, the tests use 1.
			N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
			...opts.env,
		};
		const logLevel = opts.logLevel ?? 'info';
		const timeout = opts.startTimeoutMs ?? 300_000;

		// Main first: it runs the database migrations; workers start on a migrated database.
		t = Date.now();
		const mainFolder = mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-main-'));
		cleanups.push(async () => rmSync(mainFolder, { recursive: true, force: true }));
		const main = await startN8n({
			extensionsDir: opts.extensionsDir,
			userFolder: mainFolder,
			env: sharedEnv,
			logLevel,
			startTimeoutMs: timeout,
			log: (s) => log(`[main] ${s}`),
		});
		cleanups.push(() => main.stop());
		const mainSeconds = (Date.now() - t) / 1000;

		interface WorkerState extends QueueWorker {
			proc?: Proc;
			stream?: WriteStream;
			tail: string[];
		}
		const workers: WorkerState[] = [];
		for (let index = 0; index < (opts.workers ?? 2); index += 1) {
			const userFolder = mkdtempSync(path.join(os.tmpdir(), `n8n-queue-worker${index + 1}-`));
			cleanups.push(async () => rmSync(userFolder, { recursive: true, force: true }));
			mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
			installPackageIntoUserFolder(opts.extensionsDir, userFolder);
			const w: WorkerState = {
				index,
				userFolder,
				logFile: path.join(userFolder, 'n8n-worker.log'),
				healthPort: 0,
				startupSeconds: 0,
				tail: [],
				get pid() {
					return this.proc?.child.pid ?? -1;
				},
			};
			workers.push(w);
		}

		const launchWorker = async (w: WorkerState): Promise<void> => {
			w.healthPort = await getFreePort();
			const env = buildN8nEnv({
				userFolder: w.userFolder,
				// WEBHOOK_URL / N8N_EDITOR_BASE_URL point at the main (resume URLs are served there).
				port: main.port,
				brokerPort: await getFreePort(),
				encryptionKey: sharedEnv.N8N_ENCRYPTION_KEY,
				logLevel,
				extra: {
					...sharedEnv,
					QUEUE_HEALTH_CHECK_ACTIVE: 'true',
					QUEUE_HEALTH_CHECK_PORT: String(w.healthPort),
					N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
				},
			});
			w.stream = createWriteStream(w.logFile, { flags: 'a' });
			w.tail = [];
			const t0 = Date.now();
			log(
				`[worker${w.index + 1}] starting n8n worker (health 127.0.0.1:${w.healthPort}, log ${w.logFile})`,
			);
			const stream = w.stream;
			w.proc = spawnGroup(
				NODE_BIN,
				[N8N_BIN, 'worker', `--concurrency=${opts.workerConcurrency ?? 10}`],
				{
					cwd: w.userFolder,
					env,
					onData: (buf) => {
						stream.write(buf);
						// eslint-disable-next-line no-control-regex
						w.tail.push(
							...buf
								.toString('utf8')
								.replace(/\x1b\[[0-9;]*m/g, '')
								.split('\n')
								.filter((l) => l.trim()),
						);
						if (w.tail.length > 400) w.tail = w.tail.slice(-200);
					},
				},
			);
			void w.proc.exited.then(() => stream.end());
			const deadline = t0 + timeout;
			for (;;) {
				if (w.proc.exitInfo) {
					throw new Error(
						`n8n worker ${w.index + 1} exited during startup (${JSON.stringify(w.proc.exitInfo)}). Log ${w.logFile}:\n${w.tail.slice(-40).join('\n')}`,
					);
				}
				if (await httpOk(`http://127.0.0.1:${w.healthPort}/healthz/readiness`)) break;
				if (Date.now() > deadline) {
					signalGroup(w.proc, 'SIGKILL');
					throw new Error(
						`n8n worker ${w.index + 1} not ready after ${timeout / 1000} s. Log ${w.logFile}:\n${w.tail.slice(-40).join('\n')}`,
					);
				}
				await sleep(250);
			}
			w.startupSeconds = (Date.now() - t0) / 1000;
			log(`[worker${w.index + 1}] ready in ${w.startupSeconds.toFixed(1)} s (pid ${w.pid})`);
		};
		const stopWorkers = async (signal: NodeJS.Signals) => {
			// SIGTERM: n8n waits for running jobs (N8N_GRACEFUL_SHUTDOWN_TIMEOUT, 30 s by default).
			await Promise.all(
				workers.map((w) =>
					signal === 'SIGKILL'
						? (signalGroup(w.proc, 'SIGKILL'), w.proc?.exited)
						: stopGroup(w.proc, signal, 40_000),
				),
			);
		};
		cleanups.push(() => stopWorkers('SIGTERM'));

		t = Date.now();
		await Promise.all(workers.map(launchWorker));
		const workersSeconds = (Date.now() - t) / 1000;

		const total = (Date.now() - tStart) / 1000;
		const instance: QueueModeN8n = {
			mode: 'queue',
			baseUrl: main.baseUrl,
			port: main.port,
			userFolder: main.userFolder,
			logFile: main.logFile,
			get pid() {
				return main.pid;
			},
			api: main.api,
			owner: main.owner,
			startupSeconds: mainSeconds + workersSeconds,
			workers,
			postgres,
			redis,
			sharedEnv: {
				...sharedEnv,
				N8N_ENCRYPTION_KEY: '(random, 48 hex chars, the same for main and workers)',
			},
			timings: {
				postgres: postgresSeconds,
				redis: redisSeconds,
				main: mainSeconds,
				workers: workersSeconds,
				total,
			},
			versions: { n8n: N8N_VERSION, postgres: postgres.version, redis: deps.redisVersion },
			logTail(lines = 40) {
				return [
					`--- main (${main.logFile})`,
					main.logTail(lines),
					...workers.flatMap((w) => [
						`--- worker${w.index + 1} (${w.logFile})`,
						w.tail.slice(-lines).join('\n'),
					]),
				].join('\n');
			},
			workerExecutions() {
				return workers.map((w) => {
					const text = existsSync(w.logFile) ? readFileSync(w.logFile, 'utf8') : '';
					return [...text.matchAll(/Worker started execution (\d+) \(job/g)].map((m) => m[1]);
				});
			},
			async stop() {
				await cleanup();
			},
			async kill() {
				// Crash simulation: SIGKILL main and workers at once; Postgres and Redis keep running.
				await Promise.all([stopWorkers('SIGKILL'), main.kill()]);
			},
			async killWorkers() {
				await stopWorkers('SIGKILL');
			},
			async restartWorkers() {
				const t1 = Date.now();
				await Promise.all(workers.map(launchWorker));
				instance.startupSeconds = (Date.now() - t1) / 1000;
			},
			async restart() {
				await stopWorkers('SIGTERM');
				const t1 = Date.now();
				await main.restart();
				const m = (Date.now() - t1) / 1000;
				const t2 = Date.now();
				await Promise.all(workers.map(launchWorker));
				instance.startupSeconds = m + (Date.now() - t2) / 1000;
			},
		};
		return instance;
	} catch (e) {
		await cleanup();
		throw e;
	}
}

// CLI: npx tsx scripts/n8n-runtime/queueMode.ts install-deps
if (require.main === module) {
	if (process.argv[2] !== 'install-deps') {
		console.error('usage: queueMode.ts install-deps');
		process.exit(2);
	}
	const deps = ensureQueueModeDeps({ log: (s) => console.log(`[queue-mode] ${s}`) });
	console.log(
		`[queue-mode] ${deps.postgresVersion} (${deps.postgresBinDir}); ${deps.redisVersion}${deps.installed.length ? `; installed ${deps.installed.join(', ')}` : ''}`,
	);
}
