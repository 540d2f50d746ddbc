/**
 * A bounded, time-limited set of keys already handled, so a webhook redelivered by Meta
 * (same wamid) does not start a second execution. Oldest keys are evicted first.
 */
export class SeenKeys {
	private readonly seen = new Map<string, number>();

	constructor(
		private readonly maxEntries = 10_000,
		private readonly ttlMs = 7 * 24 * 60 * 60 * 1000,
	) {}

	/** True if the key was new (and records it); false for a repeat within the TTL. */
	add(key: string, nowMs: number): boolean {
		const at = this.seen.get(key);
		if (at !== undefined && nowMs - at < this.ttlMs) return false;
		this.seen.delete(key);
		this.seen.set(key, nowMs);
		while (this.seen.size > this.maxEntries) {
			const oldest = this.seen.keys().next().value as string;
			this.seen.delete(oldest);
		}
		return true;
	}

	has(key: string, nowMs: number): boolean {
		const at = this.seen.get(key);
		return at !== undefined && nowMs - at < this.ttlMs;
	}

	toJSON(): Array<[string, number]> {
		return [...this.seen.entries()];
	}

	static from(entries: unknown, maxEntries?: number, ttlMs?: number): SeenKeys {
		const keys = new SeenKeys(maxEntries, ttlMs);
		if (Array.isArray(entries)) {
			for (const entry of entries) {
				if (Array.isArray(entry) && typeof entry[0] === 'string' && typeof entry[1] === 'number') {
					keys.seen.set(entry[0], entry[1]);
				}
			}
		}
		return keys;
	}
}
