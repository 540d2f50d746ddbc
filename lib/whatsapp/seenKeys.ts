import { createHash } from 'crypto';

/** Length of a remembered key's digest (base64url of SHA-256, 96 bits: no collision in practice). */
const DIGEST_CHARS = 16;
/** Unix seconds in base 36: seven digits last until the year 4200. */
const TIME_CHARS = 7;
const RECORD_CHARS = DIGEST_CHARS + TIME_CHARS;
const COMPACT_PREFIX = 'v2:';

/**
 * A bounded, time-limited set of keys already handled, so a webhook redelivered by Meta
 * (same wamid) or a booking platform (same event id) does not start a second execution.
 * Oldest keys are evicted first.
 *
 * Keys are kept as short digests, and `toJSON()` writes the whole set as ONE string of fixed-size
 * records: the triggers store it in the workflow's static data, which n8n serialises on every
 * accepted event and parses on every request. One string instead of thousands of [key, time]
 * pairs makes both a copy of 23 bytes per key instead of ~60 and a tree of small arrays. The
 * string is kept up to date as keys come and go (append one record, drop the oldest), so saving
 * after each event does not re-encode the whole set.
 */
export class SeenKeys {
	private readonly seen = new Map<string, number>();
	/**
	 * Keys added by a request that has not been answered yet (in this process; never saved). Until
	 * that answer is a 2xx the key may still be forgotten, so a repeat must not be told "duplicate".
	 */
	private readonly unanswered = new Set<string>();
	/** The records of `seen`, in its order; undefined when it must be rebuilt. */
	private encoded: string | undefined = '';

	constructor(
		private readonly maxEntries = 10_000,
		private readonly ttlMs = 7 * 24 * 60 * 60 * 1000,
	) {}

	/** True if the key was new (and records it); false for a repeat within the TTL. */
	add(key: string, nowMs: number): boolean {
		const digest = digestOf(key);
		const at = this.seen.get(digest);
		if (at !== undefined && nowMs - at < this.ttlMs) return false;
		// An expired key seen again moves to the end: its old record is in the middle.
		if (at !== undefined) this.encoded = undefined;
		this.seen.delete(digest);
		this.seen.set(digest, nowMs);
		if (this.encoded !== undefined) this.encoded += record(digest, nowMs);
		while (this.seen.size > this.maxEntries) {
			const oldest = this.seen.keys().next().value as string;
			this.seen.delete(oldest);
			if (this.encoded !== undefined) this.encoded = this.encoded.slice(RECORD_CHARS);
		}
		return true;
	}

	/**
	 * Forgets a key added by mistake: the webhook that added it was not acknowledged with a 2xx
	 * (n8n could not start the execution), so the sender's redelivery must be processed.
	 */
	forget(key: string): void {
		const digest = digestOf(key);
		this.unanswered.delete(digest);
		if (this.seen.delete(digest)) this.encoded = undefined;
	}

	/** The request that added these keys is being processed; its answer is not sent yet. */
	awaitAnswer(keys: string[]): void {
		for (const key of keys) this.unanswered.add(digestOf(key));
	}

	/** That request was answered: a 2xx keeps its keys as seen, anything else forgets them (the sender delivers again). */
	answered(keys: string[], acknowledged: boolean): void {
		for (const key of keys) {
			if (acknowledged) this.unanswered.delete(digestOf(key));
			else this.forget(key);
		}
	}

	/** Seen, but the request that added it has not been answered 2xx yet. */
	isAwaitingAnswer(key: string): boolean {
		return this.unanswered.has(digestOf(key));
	}

	has(key: string, nowMs: number): boolean {
		const at = this.seen.get(digestOf(key));
		return at !== undefined && nowMs - at < this.ttlMs;
	}

	get size(): number {
		return this.seen.size;
	}

	/** `v2:` then, oldest first, each key's digest + the unix second it was seen (base 36). */
	toJSON(): string {
		if (this.encoded === undefined) {
			const records: string[] = [];
			for (const [digest, at] of this.seen) records.push(record(digest, at));
			this.encoded = records.join('');
		}
		return COMPACT_PREFIX + this.encoded;
	}

	/** Reads what toJSON() wrote, and the earlier [key, ms] pairs (static data saved by 0.1.x). */
	static from(saved: unknown, maxEntries?: number, ttlMs?: number): SeenKeys {
		const keys = new SeenKeys(maxEntries, ttlMs);
		if (typeof saved === 'string' && saved.startsWith(COMPACT_PREFIX)) {
			const body = saved.slice(COMPACT_PREFIX.length);
			if (body.length % RECORD_CHARS === 0) {
				for (let i = 0; i < body.length; i += RECORD_CHARS) {
					const second = parseInt(body.slice(i + DIGEST_CHARS, i + RECORD_CHARS), 36);
					if (Number.isFinite(second)) keys.seen.set(body.slice(i, i + DIGEST_CHARS), second * 1000);
				}
			}
		} else if (Array.isArray(saved)) {
			for (const entry of saved) {
				if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number') {
					keys.seen.set(digestOf(entry[0]), entry[1]);
				}
			}
		}
		keys.encoded = undefined;
		return keys;
	}
}

function record(digest: string, atMs: number): string {
	return digest + Math.max(0, Math.floor(atMs / 1000)).toString(36).padStart(TIME_CHARS, '0');
}

function digestOf(key: string): string {
	return createHash('sha256').update(key).digest('base64url').slice(0, DIGEST_CHARS);
}
