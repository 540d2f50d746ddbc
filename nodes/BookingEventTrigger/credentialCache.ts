import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * Decrypted credentials of a trigger node, kept for a few seconds in memory.
 *
 * Why: in n8n 2.40.7 `this.getCredentials()` in a webhook reads the credential row from the
 * database, decrypts it and then resolves its expressions in a FRESH expression isolate (the
 * credentials helper builds a throw-away workflow for that, and n8n's isolate pool disposes every
 * isolate after use). Profiled under load, the two calls per booking webhook were the largest
 * cost our trigger added over n8n's own Webhook node (see BENCHMARKS.md).
 *
 * What holds: the entry is keyed by workflow, node, credential type and credential id, so a
 * workflow pointed at another credential never sees the old one; an edited credential is used at
 * the latest `CREDENTIAL_TTL_MS` after the edit; callers may ask for a refetch (e.g. when a
 * signature does not verify, so a newly added signing secret works at once), at most once per
 * `REFETCH_MIN_INTERVAL_MS` per entry so forged requests cannot force a database read each.
 */
export const CREDENTIAL_TTL_MS = 5_000;
export const REFETCH_MIN_INTERVAL_MS = 1_000;

interface Entry {
	fetchedAt: number;
	data: Promise<ICredentialDataDecryptedObject>;
}

const cache = new Map<string, Entry>();
const MAX_ENTRIES = 256;

function cacheKey(context: IWebhookFunctions, type: string): string {
	const node = context.getNode();
	const ref = node.credentials?.[type];
	return `${context.getWorkflow().id ?? ''}\u0000${node.id}\u0000${type}\u0000${ref?.id ?? ''}\u0000${ref?.name ?? ''}`;
}

export interface CachedCredentials {
	data: ICredentialDataDecryptedObject;
	/** Fetches again unless the entry is younger than REFETCH_MIN_INTERVAL_MS; undefined when it was not refetched. */
	refetch: () => Promise<ICredentialDataDecryptedObject | undefined>;
}

export async function cachedCredentials(context: IWebhookFunctions, type: string, now = Date.now()): Promise<CachedCredentials> {
	const key = cacheKey(context, type);
	const load = (): Entry => {
		const entry: Entry = { fetchedAt: now, data: context.getCredentials(type) };
		// A failed read is not remembered: the next request asks n8n again (and gets n8n's error).
		entry.data.catch(() => {
			if (cache.get(key) === entry) cache.delete(key);
		});
		cache.delete(key);
		cache.set(key, entry);
		while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
		return entry;
	};
	let entry = cache.get(key);
	if (!entry || now - entry.fetchedAt >= CREDENTIAL_TTL_MS || now < entry.fetchedAt) entry = load();
	const current = entry;
	return {
		data: await current.data,
		refetch: async () => {
			const latest = cache.get(key);
			if (latest && latest !== current) return await latest.data;
			if (now - current.fetchedAt < REFETCH_MIN_INTERVAL_MS) return undefined;
			return await load().data;
		},
	};
}
