/**
 * Shared by the in-n8n benches: build the package, start one real n8n (scripts/n8n-runtime) on
 * 127.0.0.1, create the booking credentials, a keep-alive HTTP load generator, percentiles and CPU
 * sampling of the n8n process group (n8n + its task runner) from /proc.
 */
import { execFileSync } from 'child_process';
import { randomBytes, randomUUID } from 'crypto';
import { existsSync, readdirSync, readFileSync } from 'fs';
import http from 'http';
import path from 'path';

import { signBookingWebhook } from '../../lib/booking';
import { installN8n, REPO_ROOT, startN8n, type N8nInstance } from '../../scripts/n8n-runtime';
import { startQueueModeN8n, type QueueModeN8n } from '../../scripts/n8n-runtime/queueMode';

export const log = (s: string) => process.stderr.write(`${s}\n`);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function buildPackage(): void {
	if (process.env.BENCH_SKIP_BUILD === '1' && existsSync(path.join(REPO_ROOT, 'dist/nodes/BookingEventTrigger/BookingEventTrigger.node.js'))) return;
	log('npm run build…');
	execFileSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startBenchN8n(env: Record<string, string> = {}): Promise<N8nInstance> {
	buildPackage();
	await installN8n({ log });
	// BENCH_CPU_PROF_DIR=<dir>: the n8n process writes a V8 CPU profile there when it stops (profiling only).
	const prof = process.env.BENCH_CPU_PROF_DIR;
	if (prof) env = { ...env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(prof)}` };
	// warn: n8n logs every webhook execution at info; keep the log (and its cost) small.
	// A generous start timeout: on a saturated shared machine n8n's migrations alone can take minutes.
	return await startN8n({ extensionsDir: REPO_ROOT, log, logLevel: 'warn', env, startTimeoutMs: 300_000 });
}

/**
 * A bench n8n in either mode: `regular` (one process, SQLite) or `queue` (main + 2 workers,
 * Postgres, Redis). `processes` names every n8n process, for per-process RSS and heap snapshots.
 */
export async function startBenchTarget(
	mode: 'regular' | 'queue',
	env: Record<string, string> = {},
): Promise<{ n8n: N8nInstance; queue?: QueueModeN8n; processes: Array<{ name: string; pid: number }> }> {
	if (mode === 'regular') {
		const n8n = await startBenchN8n(env);
		return { n8n, processes: [{ name: 'main', pid: n8n.pid }] };
	}
	buildPackage();
	await installN8n({ log });
	const queue = await startQueueModeN8n({ extensionsDir: REPO_ROOT, workers: 2, env, logLevel: 'warn', startTimeoutMs: 600_000, log });
	return { n8n: queue, queue, processes: [{ name: 'main', pid: queue.pid }, ...queue.workers.map((w) => ({ name: `worker${w.index + 1}`, pid: w.pid }))] };
}

export interface BookingCreds {
	secret: string;
	webhook: { id: string; name: string };
	guestData: { id: string; name: string };
}

/** The "Bench WhatsApp" credential pointing at the fake Cloud API for this tenant. */
export async function createWhatsAppCredential(
	n8n: N8nInstance,
	tenant: { accessToken: string; phoneNumberId: string; wabaId: string; appSecret: string },
	fakeUrl: string,
): Promise<{ waId: string; waName: string }> {
	const waName = 'Bench WhatsApp';
	const waId = await n8n.api.createCredential('resortWhatsAppApi', waName, {
		accessToken: tenant.accessToken,
		phoneNumberId: tenant.phoneNumberId,
		businessAccountId: tenant.wabaId,
		appSecret: tenant.appSecret,
		verifyToken: randomBytes(12).toString('hex'),
		graphApiVersion: 'v23.0',
		baseUrl: fakeUrl,
	});
	return { waId, waName };
}

export async function createBookingCredentials(n8n: N8nInstance): Promise<BookingCreds> {
	const secret = randomBytes(24).toString('hex');
	const name = 'Bench Booking Webhook';
	const id = await n8n.api.createCredential('resortBookingWebhookApi', name, { signingSecret: secret, token: randomBytes(24).toString('hex') });
	const keysName = 'Bench Guest Data';
	const keysId = await n8n.api.createCredential('resortGuestDataApi', keysName, {
		encryptionKey: randomBytes(32).toString('hex'),
		lookupKey: randomBytes(32).toString('hex'),
	});
	return { secret, webhook: { id, name }, guestData: { id: keysId, name: keysName } };
}

export function bookingEvent(type: string, phone = '+34677123456'): Record<string, unknown> {
	const base: Record<string, unknown> = {
		eventId: `evt-${randomUUID()}`,
		type,
		occurredAt: '2026-07-01T10:00:00+02:00',
		bookingId: `bk-${randomBytes(6).toString('hex')}`,
		guest: { phone, name: 'Lucía Fernández', language: 'es', marketingConsent: true, timeZone: 'Europe/Madrid' },
		stay: { checkIn: '2026-07-10', checkOut: '2026-07-14', adults: 2, children: 1, accommodationId: 'family-suite' },
		source: 'direct',
	};
	if (type === 'reservation_confirmed') base.amount = { value: 1240, currency: 'EUR' };
	return base;
}

export const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export interface Reply {
	status: number;
	body: string;
	ms: number;
	sentAt: number;
}

/** POST a signed body (signed at send time) with Node's http module over a keep-alive agent. */
export function postSigned(url: string, raw: string, secret: string, timeoutMs = 30_000): Promise<Reply> {
	return new Promise((resolve) => {
		const sentAt = Date.now();
		const t0 = process.hrtime.bigint();
		const done = (status: number, body: string) => resolve({ status, body, ms: Number(process.hrtime.bigint() - t0) / 1e6, sentAt });
		const req = http.request(url, {
			method: 'POST',
			agent,
			timeout: timeoutMs,
			headers: {
				'content-type': 'application/json',
				'content-length': Buffer.byteLength(raw),
				'x-resort-signature': signBookingWebhook(raw, secret, Date.now() / 1000),
			},
		});
		req.on('response', (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
			res.on('error', () => done(0, 'response error'));
		});
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => done(0, String(e)));
		req.end(raw);
	});
}

export function percentile(sorted: number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[i];
}

export const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

export function latencySummary(ms: number[]) {
	const s = [...ms].sort((a, b) => a - b);
	return { p50ms: round(percentile(s, 50)), p95ms: round(percentile(s, 95)), p99ms: round(percentile(s, 99)), maxMs: round(s[s.length - 1] ?? NaN) };
}

/** Sum of utime+stime ticks of every process in the process group (n8n is started detached: pgid = pid). */
export function groupCpuTicks(pgid: number): { total: number; byPid: Record<number, { comm: string; ticks: number }> } {
	const byPid: Record<number, { comm: string; ticks: number }> = {};
	let total = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const close = stat.lastIndexOf(')');
		const comm = stat.slice(stat.indexOf('(') + 1, close);
		const fields = stat.slice(close + 2).split(' ');
		// fields[0] = state (field 3); pgrp = field 5 -> fields[2]; utime = 14 -> [11]; stime = 15 -> [12]
		if (Number(fields[2]) !== pgid) continue;
		const ticks = Number(fields[11]) + Number(fields[12]);
		byPid[Number(entry)] = { comm, ticks };
		total += ticks;
	}
	return { total, byPid };
}

/** CPU use of the n8n group over a window, in % of one core, total and per process. */
export function cpuMeter(pgid: number) {
	const start = groupCpuTicks(pgid);
	const t0 = Date.now();
	return () => {
		const end = groupCpuTicks(pgid);
		const seconds = (Date.now() - t0) / 1000;
		const hz = 100; // CLK_TCK on Linux
		const per: Record<string, number> = {};
		for (const [pid, v] of Object.entries(end.byPid)) {
			const before = start.byPid[Number(pid)]?.ticks ?? 0;
			const pct = ((v.ticks - before) / hz / seconds) * 100;
			if (pct >= 1) per[`${v.comm}#${pid}`] = round(pct);
		}
		return { totalPct: round(((end.total - start.total) / hz / seconds) * 100), perProcessPct: per };
	};
}

export function dbSizeMb(userFolder: string): number {
	for (const f of ['.n8n/database.sqlite', 'database.sqlite']) {
		try {
			const p = path.join(userFolder, f);
			let size = 0;
			for (const suffix of ['', '-wal']) if (existsSync(p + suffix)) size += Number(execFileSync('stat', ['-c', '%s', p + suffix], { encoding: 'utf8' }));
			if (size) return round(size / 2 ** 20);
		} catch {
			/* next */
		}
	}
	return NaN;
}

function machineTicks(): { busy: number; total: number } {
	const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
	const idle = cpu[3] + (cpu[4] ?? 0);
	const total = cpu.reduce((a, b) => a + b, 0);
	return { busy: total - idle, total };
}

/** Whole-machine CPU busy over a window, in % of one core (so 200% = both of 2 cores), to show contention. */
export function machineMeter() {
	const a = machineTicks();
	const t0 = Date.now();
	return () => {
		const b = machineTicks();
		const seconds = (Date.now() - t0) / 1000;
		return round(((b.busy - a.busy) / 100 / seconds) * 100);
	};
}

/**
 * Resident memory (VmRSS from /proc/<pid>/status) of every process in the n8n process group
 * (n8n main + its task runner; n8n is started detached: pgid = pid), in MiB, total and per process.
 */
export function groupRssMb(pgid: number): { totalMb: number; byProcess: Record<string, number> } {
	const byProcess: Record<string, number> = {};
	let totalKb = 0;
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		let status: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			status = readFileSync(`/proc/${entry}/status`, 'utf8');
		} catch {
			continue;
		}
		const close = stat.lastIndexOf(')');
		const comm = stat.slice(stat.indexOf('(') + 1, close);
		if (Number(stat.slice(close + 2).split(' ')[2]) !== pgid) continue;
		const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
		totalKb += kb;
		let cmdline = '';
		try {
			cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
		} catch {
			/* gone */
		}
		const role = cmdline.includes('task-runner') ? 'task runner' : cmdline.includes('n8n/bin/n8n') ? 'n8n main' : comm;
		byProcess[`${role} #${entry}`] = round(kb / 1024);
	}
	return { totalMb: round(totalKb / 1024), byProcess };
}
