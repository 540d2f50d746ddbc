/**
 * Live JS heap of running n8n processes. n8n runs with `--heapsnapshot-signal=SIGUSR2
 * --diagnostic-dir=<dir>`; a heap snapshot first runs a full garbage collection and then holds only
 * reachable objects, so the sum of its nodes' self sizes is the live JS heap (RSS cannot tell live
 * memory from garbage V8 has not returned). `bench/support/heapSnapshot.ts` says what is in one.
 */
import { closeSync, createReadStream, openSync, readdirSync, readSync, renameSync, rmSync, statSync } from 'fs';
import path from 'path';

import { groupRssMb, log, round, sleep } from './n8n';

/** NODE_OPTIONS for an n8n process whose heap is to be snapshotted into `dir`. */
export const heapSnapshotNodeOptions = (dir: string) => ({ NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` });

/**
 * Live JS heap in MiB from a heap snapshot: the sum of every node's self size. Streamed, because
 * a snapshot of a large heap is longer than the longest string V8 allows.
 */
export async function liveHeapMb(file: string): Promise<{ liveMb: number; nodes: number }> {
	const head = Buffer.alloc(1 << 20);
	const fd = openSync(file, 'r');
	const read = readSync(fd, head, 0, head.length, 0);
	closeSync(fd);
	const fields = JSON.parse(/"node_fields":(\[[^\]]*\])/.exec(head.subarray(0, read).toString('utf8'))![1]) as string[];
	const width = fields.length;
	const sizeAt = fields.indexOf('self_size');
	let total = 0;
	let index = 0;
	let current = -1;
	let state: 'seek' | 'array' | 'done' = 'seek';
	let window = '';
	for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
		let text = chunk as string;
		if (state === 'seek') {
			window += text;
			const at = window.indexOf('"nodes":[');
			if (at < 0) {
				window = window.slice(-16);
				continue;
			}
			text = window.slice(at + '"nodes":['.length);
			state = 'array';
		}
		if (state !== 'array') break;
		for (let i = 0; i < text.length; i++) {
			const c = text.charCodeAt(i);
			if (c >= 48 && c <= 57) current = (current < 0 ? 0 : current * 10) + (c - 48);
			else if (current >= 0) {
				if (index % width === sizeAt) total += current;
				index++;
				current = -1;
			}
			if (c === 93) {
				state = 'done';
				break;
			}
		}
		if (state === 'done') break;
	}
	return { liveMb: round(total / 2 ** 20), nodes: index / width };
}

/** Signals one n8n process and waits until its snapshot file (V8 names it with the pid) is complete. */
export async function snapshotProcess(pid: number, dir: string, label: string, keepAs: string, keepDir?: string) {
	const before = new Set(readdirSync(dir));
	const t0 = Date.now();
	process.kill(pid, 'SIGUSR2');
	let file: string | undefined;
	let lastSize = -1;
	for (;;) {
		await sleep(1000);
		file ??= readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && f.includes(`.${pid}.`) && !before.has(f));
		if (!file) continue;
		const size = statSync(path.join(dir, file)).size;
		// V8 writes the file in one go; it is complete when it stops growing.
		if (size === lastSize && size > 0) break;
		lastSize = size;
	}
	const full = path.join(dir, file);
	const live = await liveHeapMb(full);
	const result = { label, pid, ...live, fileMb: round(statSync(full).size / 2 ** 20), rssMb: groupRssMb(pid).totalMb, seconds: round((Date.now() - t0) / 1000) };
	if (keepDir) renameSync(full, path.join(keepDir, `${keepAs}.heapsnapshot`));
	else rmSync(full);
	log(`heap ${label}: ${JSON.stringify(result)}`);
	return result;
}

/** Every n8n process of the target, one after the other: main, then queue-mode workers. */
export async function snapshot(processes: Array<{ name: string; pid: number }>, dir: string, label: string, keepAs: string, keepDir?: string) {
	const out: Record<string, Awaited<ReturnType<typeof snapshotProcess>>> = {};
	for (const p of processes) out[p.name] = await snapshotProcess(p.pid, dir, `${p.name} ${label}`, `${keepAs}-${p.name}`, keepDir);
	return out;
}

